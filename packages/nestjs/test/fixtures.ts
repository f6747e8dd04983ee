// biome-ignore lint/style/useImportType: Nest injects by the constructor's emitted parameter types
import {
  BaseJobCallback,
  JobCallbackName,
  type JobContext,
  JobExecutionResult,
  JobManager,
} from '@jobservice/core';
import { Injectable, Module } from '@nestjs/common';

/** A singleton service the callbacks inject (constructor DI through emitDecoratorMetadata). */
@Injectable()
export class Greeter {
  readonly id = Math.random().toString(36).slice(2);
  greet(name: string): string {
    return `hello, ${name}`;
  }
}

@Module({ providers: [Greeter], exports: [Greeter] })
export class GreeterModule {}

/** Greets through the injected {@link Greeter} and says which instance did it. */
@Injectable()
@JobCallbackName('greet')
export class GreetCallback extends BaseJobCallback<{ name: string }, { text: string; greeter: string }> {
  constructor(private readonly greeter: Greeter) {
    super();
  }

  async execute(_ctx: JobContext<{ name: string }>) {
    return JobExecutionResult.success({
      text: this.greeter.greet(this.metadata.name),
      greeter: this.greeter.id,
    });
  }
}

/** An app service with the manager injected: it enqueues. */
@Injectable()
export class WelcomeService {
  constructor(readonly jobs: JobManager) {}

  async welcome(name: string): Promise<string> {
    const { id } = await this.jobs.enqueue(GreetCallback, { name });
    return id;
  }
}
