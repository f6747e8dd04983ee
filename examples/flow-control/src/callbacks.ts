import { BaseJobCallback, JobExecutionResult, type RateLimit } from '@jobservice/core';

/** Each tenant runs at most this many of its jobs at once, across every worker on the store. */
export const TENANT_LIMIT = 1;

/** The partner API allows 5 calls per second; the store spreads the starts over windows. */
export const PARTNER_RATE: RateLimit = { key: 'partner-api', max: 5, perMs: 1_000 };

/** One line of what happened, in the order it happened (ms since the demo began). */
export interface Event {
  at: number;
  kind: 'start' | 'end' | 'call';
  what: string;
}

/**
 * What the handlers share with the demo: the event log, and how many jobs of
 * each tenant run right now and at most (counted inside the handlers).
 */
export class Tally {
  readonly events: Event[] = [];
  readonly peak = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly began = Date.now();

  /** Records `kind` for `what` at the current time. */
  record(kind: Event['kind'], what: string): void {
    this.events.push({ at: Date.now() - this.began, kind, what });
  }

  /** A job of `tenant` began. */
  enter(tenant: string): void {
    const now = (this.running.get(tenant) ?? 0) + 1;
    this.running.set(tenant, now);
    this.peak.set(tenant, Math.max(this.peak.get(tenant) ?? 0, now));
  }

  /** A job of `tenant` ended. */
  leave(tenant: string): void {
    this.running.set(tenant, (this.running.get(tenant) ?? 1) - 1);
  }
}

/** A local stand-in for an external API: records each call's time and answers after a short delay. */
export class FakePartnerApi {
  /** `Date.now()` of every call, in order. */
  readonly calls: number[] = [];

  /** One call: answers `{ ok: true, n }` after 20 ms. */
  async send(payload: { invoice: number }): Promise<{ ok: true; n: number }> {
    this.calls.push(Date.now());
    await sleep(20);
    return { ok: true, n: payload.invoice };
  }
}

/** The shared state the callbacks below use; set by the demo before a dispatcher starts. */
export const shared: { tally: Tally; api: FakePartnerApi } = {
  tally: new Tally(),
  api: new FakePartnerApi(),
};

/** A tenant's nightly export: 150 ms of work. Enqueued with `concurrencyKey: tenant:<id>`. */
export class TenantExport extends BaseJobCallback<{ tenant: string; n: number }> {
  static jobName = 'tenant.export';
  async execute() {
    const { tenant, n } = this.metadata;
    shared.tally.enter(tenant);
    shared.tally.record('start', `tenant ${tenant} export #${n}`);
    await sleep(150);
    shared.tally.record('end', `tenant ${tenant} export #${n}`);
    shared.tally.leave(tenant);
    return JobExecutionResult.success();
  }
}

/** Sends one invoice to the partner API. Enqueued with `rateLimit: PARTNER_RATE`. */
export class SendInvoice extends BaseJobCallback<{ invoice: number }> {
  static jobName = 'partner.send-invoice';
  async execute() {
    shared.tally.record('call', `partner API call for invoice #${this.metadata.invoice}`);
    const answer = await shared.api.send({ invoice: this.metadata.invoice });
    return JobExecutionResult.success(answer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
