import { Injectable } from '@nestjs/common';

/** An ordinary Nest service: the job's callback gets it by constructor injection. */
@Injectable()
export class WelcomeMailer {
  readonly sent: string[] = [];

  send(name: string): string {
    const message = `Welcome aboard, ${name}!`;
    this.sent.push(message);
    console.log(`[mailer] sent: ${message}`);
    return message;
  }
}
