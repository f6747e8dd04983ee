import { BaseJobCallback, JobCallbackName, JobExecutionResult } from '@jobservice/core';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../src/config.js';
import { CliError, describeFailure, networkCause, oneLine } from '../src/errors.js';
import { formatTable, truncate } from '../src/format/table.js';
import { colorsFor, formatInterval, formatTime } from '../src/format/values.js';
import { collectCallbacks, isCallbackClass } from '../src/load-callbacks.js';
import { collectLabel, collectStatus, integerOption } from '../src/option-parsers.js';
import { parseStoreUrl, redact } from '../src/store-url.js';

describe('parseStoreUrl', () => {
  it('reads PostgreSQL URLs as given', () => {
    expect(parseStoreUrl('postgres://u:p@db:5432/app')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u:p@db:5432/app',
    });
    expect(parseStoreUrl('postgresql://db/app').kind).toBe('postgres');
    expect(parseStoreUrl('POSTGRES://db/app').kind).toBe('postgres');
  });

  it('resolves fs folders against the base directory', () => {
    expect(parseStoreUrl('fs:./data', '/srv/app')).toEqual({ kind: 'fs', root: '/srv/app/data' });
    expect(parseStoreUrl('fs:data/jobs', '/srv/app')).toEqual({ kind: 'fs', root: '/srv/app/data/jobs' });
    expect(parseStoreUrl('fs:/var/lib/jobs/', '/srv/app')).toEqual({ kind: 'fs', root: '/var/lib/jobs' });
    expect(parseStoreUrl('fs:///var/lib/jobs', '/srv/app')).toEqual({ kind: 'fs', root: '/var/lib/jobs' });
  });

  it('refuses other schemes and empty values as usage errors naming the accepted forms', () => {
    for (const bad of ['mysql://db/app', 'redis://x', './data', '', 'fs:', 'postgres:db']) {
      let caught: unknown;
      try {
        parseStoreUrl(bad, '/srv');
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode, bad).toBe(2);
    }
    expect(() => parseStoreUrl('mysql://db/app')).toThrow(
      "unsupported store 'mysql:'; use postgres://…, postgresql://… or fs:<folder>",
    );
  });

  it('hides passwords in messages', () => {
    expect(redact('postgres://user:secret@db:5432/app')).toBe('postgres://user:***@db:5432/app');
    expect(redact('postgres://db/app')).toBe('postgres://db/app');
  });
});

describe('formatTable', () => {
  it('aligns columns and trims line ends', () => {
    const rows = [
      { id: 'a', name: 'send-email', n: 1 },
      { id: 'bbbb', name: 'x', n: 120 },
    ];
    const text = formatTable(rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'N', value: (r) => String(r.n), alignRight: true },
      { header: 'NAME', value: (r) => r.name },
    ]);
    expect(text).toBe('ID      N  NAME\na       1  send-email\nbbbb  120  x\n');
  });

  it('flattens newlines and keeps styling out of the width', () => {
    const text = formatTable(
      [{ v: 'two\nlines' }, { v: 'x' }],
      [
        { header: 'V', value: (r) => r.v, style: (p) => `<${p}>` },
        { header: 'END', value: () => '.' },
      ],
    );
    expect(text).toBe('V          END\n<two lines>  .\n<x        >  .\n');
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('values', () => {
  it('formats times and intervals', () => {
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
    expect(formatTime(null)).toBe('-');
    expect(formatInterval(900_000)).toBe('15m');
    expect(formatInterval(90_000)).toBe('90s');
    expect(formatInterval(7_200_000)).toBe('2h');
    expect(formatInterval(1_500)).toBe('1500ms');
  });

  it('colours only terminals, honouring NO_COLOR and FORCE_COLOR', () => {
    expect(colorsFor(false, {}).red('x')).toBe('x');
    expect(colorsFor(true, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(colorsFor(true, {}).red('x')).not.toBe('x');
    expect(colorsFor(false, { FORCE_COLOR: '1' }).red('x')).not.toBe('x');
  });
});

describe('option parsers', () => {
  it('checks whole numbers, statuses and labels', () => {
    expect(integerOption(1)('25')).toBe(25);
    expect(() => integerOption(1)('0')).toThrow(/≥ 1/);
    expect(() => integerOption(1)('2.5')).toThrow();
    expect(() => integerOption(0, 65_535)('70000')).toThrow(/from 0 to 65535/);
    expect(collectStatus('failed,cancelled', ['running'])).toEqual(['running', 'failed', 'cancelled']);
    expect(() => collectStatus('broken')).toThrow(/unknown status 'broken'/);
    expect(collectLabel('tenant=acme', { region: 'eu' })).toEqual({ region: 'eu', tenant: 'acme' });
    expect(collectLabel('q=a=b')).toEqual({ q: 'a=b' });
    expect(() => collectLabel('=x')).toThrow(/key=value/);
  });
});

describe('checkConfig', () => {
  it('keeps known fields and refuses wrong types', () => {
    expect(checkConfig({ store: 'fs:./d', schema: 's', module: './m.js', concurrency: 4 }, 'c.json')).toEqual(
      {
        store: 'fs:./d',
        schema: 's',
        module: './m.js',
        concurrency: 4,
      },
    );
    expect(() => checkConfig({ concurrency: 0 }, 'c.json')).toThrow(/concurrency must be a whole number/);
    expect(() => checkConfig({ store: 42 }, 'c.json')).toThrow(/store must be a non-empty string/);
    expect(() => checkConfig([], 'c.json')).toThrow(/must export an object/);
  });
});

describe('collectCallbacks', () => {
  @JobCallbackName('labelled')
  class Labelled extends BaseJobCallback {
    execute() {
      return JobExecutionResult.success();
    }
  }
  class Static extends BaseJobCallback {
    static jobName = 'static-named';
    execute() {
      return JobExecutionResult.success();
    }
  }
  class Unnamed extends BaseJobCallback {
    execute() {
      return JobExecutionResult.success();
    }
  }

  it('finds named classes among exports and in a callbacks array, once each', () => {
    expect(isCallbackClass(Labelled)).toBe(true);
    expect(isCallbackClass(Unnamed)).toBe(false);
    expect(isCallbackClass({ jobName: 'x' })).toBe(false);
    const found = collectCallbacks({
      Labelled,
      Unnamed,
      helper: () => 1,
      callbacks: [Static, Labelled],
      x: 3,
    });
    expect(found).toEqual([Labelled, Static]);
    expect(collectCallbacks({ default: { callbacks: [Static] } })).toEqual([Static]);
    expect(collectCallbacks({ default: Labelled })).toEqual([Labelled]);
  });
});

describe('describeFailure', () => {
  it('reports one line and the right exit code', () => {
    expect(describeFailure(new CliError('bad\nsecond line', 2))).toEqual({ message: 'bad', exitCode: 2 });
    expect(describeFailure(new Error('\n  boom  \n at x'))).toEqual({ message: 'boom', exitCode: 1 });
    expect(describeFailure('text')).toEqual({ message: 'text', exitCode: 1 });
    expect(oneLine('')).toBe('unknown error');
  });

  it('finds a refused connection behind causes and aggregate errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('postgres: query failed', { cause: new AggregateError([refused], '') });
    expect(networkCause(wrapped)).toBe(refused);
    expect(networkCause(new Error('syntax error'))).toBeUndefined();
    expect(describeFailure(new AggregateError([refused], '')).message).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
