import type { ClaimRequest, LeaseExtension, NewJob, Settlement, WriteOptions } from '@jobservice/core';
import { claimAheadCount, claimStartCount, InvalidInputError } from '@jobservice/core';
import * as check from './input-checks.js';
import { encodeDueTime, encodeNewJob } from './job-codec.js';

/** The insert script's arguments: bells payload, job count, then per job its due time and fields. */
export function insertArgs(
  jobs: readonly NewJob[],
  bells: string,
  options?: WriteOptions,
  /** Where `jobs` start in the caller's batch, for field names (`jobs[1000]`); `null`: a single insert. */
  offset: number | null = 0,
): string[] {
  if (options?.transaction !== undefined) {
    throw new InvalidInputError('options.transaction', 'the redis store has no transaction handles; omit it');
  }
  const args: string[] = [bells, String(jobs.length)];
  jobs.forEach((job, i) => {
    const field = offset === null ? 'job' : `jobs[${offset + i}]`;
    const fields = encodeNewJob(job, field);
    args.push(...encodeDueTime(job, field), String(fields.length / 2), ...fields);
  });
  return args;
}

/** The claim script's arguments: limit, start, startAhead, leaseMs, workerId, names (deduplicated). */
export function claimArgs(request: ClaimRequest): Array<string | number> | null {
  if (request === null || typeof request !== 'object') {
    throw new InvalidInputError('request', 'must be a claim request');
  }
  const limit = check.count(request.limit, 'request.limit');
  const names = [...new Set(check.textArray(request.names, 'request.names'))];
  if (limit === 0 || names.length === 0) return null;
  const start = claimStartCount({ ...request, limit });
  const ahead = Math.min(claimAheadCount(request), limit);
  const leaseMs = check.finite(request.leaseMs, 'request.leaseMs');
  const workerId = check.text(request.workerId, 'request.workerId');
  return [limit, start, ahead, String(leaseMs), workerId, ...names];
}

/** The settle script's arguments: count, then five per settlement. */
export function settleArgs(settlements: readonly Settlement[]): string[] {
  if (!Array.isArray(settlements)) throw new InvalidInputError('settlements', 'must be an array');
  const args: string[] = [String(settlements.length)];
  settlements.forEach((s, i) => {
    const field = `settlements[${i}]`;
    const id = check.text(s?.id, `${field}.id`);
    const token = String(check.finite(s.leaseToken, `${field}.leaseToken`));
    switch (s.outcome) {
      case 'completed':
        args.push(id, token, s.outcome, check.lenientJson(s.result), '');
        break;
      case 'failed':
        args.push(id, token, s.outcome, check.lenientJson(s.error ?? null), '');
        break;
      case 'cancelled':
        args.push(id, token, s.outcome, s.error == null ? '' : check.lenientJson(s.error), '');
        break;
      case 'retry':
        args.push(
          id,
          token,
          s.outcome,
          String(check.finite(s.delayMs, `${field}.delayMs`)),
          check.lenientJson(s.error ?? null),
        );
        break;
      case 'release':
        args.push(id, token, s.outcome, '', '');
        break;
      case 'start':
        args.push(id, token, s.outcome, String(check.finite(s.leaseMs, `${field}.leaseMs`)), '');
        break;
      default:
        throw new InvalidInputError(
          `${field}.outcome`,
          `must be completed, failed, cancelled, retry, release or start, got ${String((s as { outcome?: unknown }).outcome)}`,
        );
    }
  });
  return args;
}

/** The extend script's arguments: count, then four per heartbeat. */
export function extendArgs(extensions: readonly LeaseExtension[]): string[] {
  if (!Array.isArray(extensions)) throw new InvalidInputError('extensions', 'must be an array');
  const args: string[] = [String(extensions.length)];
  extensions.forEach((e, i) => {
    const field = `extensions[${i}]`;
    args.push(
      check.text(e?.id, `${field}.id`),
      String(check.finite(e.leaseToken, `${field}.leaseToken`)),
      String(check.finite(e.leaseMs, `${field}.leaseMs`)),
      check.lenientJson(e.progress),
    );
  });
  return args;
}
