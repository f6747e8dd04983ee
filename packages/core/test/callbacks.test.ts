import { createRequire } from 'node:module';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import {
  BaseJobCallback,
  CallbackRegistry,
  getJobName,
  JobCallbackName,
  type JobContext,
  JobExecutionResult,
} from '../src/index.js';

@JobCallbackName('send-email')
class SendEmail extends BaseJobCallback<{ to: string }> {
  execute(_ctx: JobContext<{ to: string }>) {
    return JobExecutionResult.success();
  }
}

class StaticNamed extends BaseJobCallback {
  static jobName = 'static-named';
  execute() {
    return JobExecutionResult.success();
  }
}

describe('@JobCallbackName', () => {
  it('labels a class under standard decorators', () => {
    expect(getJobName(SendEmail)).toBe('send-email');
  });

  it('accepts static jobName instead', () => {
    expect(getJobName(StaticNamed)).toBe('static-named');
  });

  it('is not inherited by a subclass', () => {
    class Child extends SendEmail {}
    expect(() => getJobName(Child)).toThrow(/Child has no job name/);
  });

  it('works when compiled with legacy experimentalDecorators', () => {
    const source = `
      const { JobCallbackName, BaseJobCallback, JobExecutionResult } = require('core');
      @JobCallbackName('legacy-job')
      class Legacy extends BaseJobCallback { execute() { return JobExecutionResult.success(); } }
      module.exports = Legacy;
    `;
    const out = ts.transpileModule(source, {
      compilerOptions: {
        experimentalDecorators: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
      },
    });
    const module = { exports: {} as unknown };
    const localRequire = (id: string) => (id === 'core' ? core : createRequire(import.meta.url)(id));
    new Function('require', 'module', 'exports', out.outputText)(localRequire, module, module.exports);
    expect(getJobName(module.exports as typeof SendEmail)).toBe('legacy-job');
  });

  it('rejects a name outside the documented pattern at decoration time', () => {
    for (const bad of ['', '../x', 'a b', '-lead', 'x'.repeat(129), 'naïve']) {
      expect(() => JobCallbackName(bad)).toThrow(/not a valid callback name/);
    }
  });
});

describe('CallbackRegistry', () => {
  it('refuses two classes under one name', () => {
    class Other extends BaseJobCallback {
      static jobName = 'send-email';
      execute() {
        return JobExecutionResult.success();
      }
    }
    expect(() => new CallbackRegistry([SendEmail, Other])).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_CALLBACK' }),
    );
  });

  it('lists names and finds classes; listing a class twice is harmless', () => {
    const registry = new CallbackRegistry([SendEmail, StaticNamed, SendEmail]);
    expect(registry.names.sort()).toEqual(['send-email', 'static-named']);
    expect(registry.get('send-email')).toBe(SendEmail);
    expect(registry.get('nope')).toBeUndefined();
  });

  it('names the problem with a non-class entry', () => {
    expect(() => new CallbackRegistry([42 as never])).toThrow(/callbacks/);
  });
});
