/**
 * Flow control on the required methods alone (core's claim fallback): each
 * gate (a concurrency key, a name's cluster-wide parallelism, a rate-limit
 * key) is one document with a reserved name, written only by
 * compare-and-set, so two workers in any processes can never both take its
 * last slot. Like schedules, the documents are never due and never
 * claimable, and `JobManager` leaves them out of lists and counts.
 */
import { v7 as uuidv7 } from 'uuid';
import { type RateLimit, rateWindow } from '../model/flow-control.js';
import type { JobDocument } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { IDocumentDataProvider } from './document-provider.js';

/** The reserved callback name of the documents that hold flow-control gates. No callback can take it. */
export const FLOW_GATE_DOCUMENT_NAME = 'jobservice:flow-gate';

/** Prefix of the names the SDK reserves for its own documents (schedules, flow gates). */
export const INTERNAL_NAME_PREFIX = 'jobservice:';

/** Whether a document name is one the SDK keeps for itself (hidden from job listings and counts). */
export function isInternalDocumentName(name: string): boolean {
  return name.startsWith(INTERNAL_NAME_PREFIX);
}

const NEVER = Date.UTC(9999, 0, 1);
const MAX_CAS_ROUNDS = 16;

/**
 * A job holding a slot: `token` is the lease token its claim writes. A
 * holder counts while that job runs under that token, or — its claim still
 * in flight — while the job's token is below it and `until` has not passed.
 */
interface Holder {
  id: string;
  token: number;
  until: number;
  /** This acquisition's own id: a give-back removes exactly it, never a rival's holder of the same job. */
  nonce: string;
}

/** What `acquire` found: a slot (`nonce` names it), a full gate, or a rival claim of the same job. */
export type Acquired = { ok: true; nonce: string } | { ok: false; reason: 'full' | 'racing' };

interface GateFields {
  holders?: Holder[];
  starts?: number[];
  /** `id@version` of the claims behind the newest starts: a rival claim of the same job takes no second start. */
  takers?: string[];
}

/** A gate's document: its id and what it holds. */
interface Gate {
  doc: JobDocument;
  fields: GateFields;
}

/** The gates of one store, found by key and remembered by id. */
export class FlowLedger {
  private readonly ids = new Map<string, string>();

  constructor(private readonly store: IDocumentDataProvider) {}

  /**
   * Takes a slot of `gate` (at most `limit` holders) for `job`'s next
   * claim. Not when the gate is full of live holders (`full`), nor when
   * another worker is claiming the same job under the same token
   * (`racing`: at most one of the two claims can land).
   */
  async acquire(
    gate: string,
    limit: number,
    job: JobDocument,
    now: number,
    leaseMs: number,
  ): Promise<Acquired> {
    const token = job.leaseToken + 1;
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const { doc, fields } = await this.read(gate);
      let holders = fields.holders ?? [];
      if (holders.some((h) => h.id === job.id && h.token === token)) return { ok: false, reason: 'racing' };
      if (holders.length >= limit) holders = await this.live(holders, now);
      if (holders.length >= limit) return { ok: false, reason: 'full' };
      const nonce = uuidv7();
      holders = [...holders, { id: job.id, token, until: now + leaseMs, nonce }];
      if (await this.write(doc, { ...fields, holders })) return { ok: true, nonce };
    }
    return { ok: false, reason: 'racing' };
  }

  /** Gives back the slot `nonce` of `gate` (its claim did not land). */
  async release(gate: string, nonce: string): Promise<void> {
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const { doc, fields } = await this.read(gate);
      const holders = (fields.holders ?? []).filter((h) => h.nonce !== nonce);
      if (holders.length === (fields.holders ?? []).length) return;
      if (await this.write(doc, { ...fields, holders })) return;
    }
  }

  /**
   * Records a start at `now` under `limit` for `job`'s next claim when its
   * window has room; otherwise returns when the window next has room. A
   * rival claim of the same job under the same token gets `racing` and
   * records nothing, so racing claimers never spend the window twice.
   */
  async takeRate(
    limit: RateLimit,
    job: JobDocument,
    now: number,
  ): Promise<{ ok: true } | { ok: false; nextStart: number } | { ok: false; racing: true }> {
    const gate = `rate:${limit.key}`;
    const taker = takerOf(job);
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const { doc, fields } = await this.read(gate);
      const starts = fields.starts ?? [];
      const takers = fields.takers ?? [];
      if (takers.includes(taker)) return { ok: false, racing: true };
      if (rateWindow.room(starts, now, limit) === 0) {
        return { ok: false, nextStart: rateWindow.nextStart(starts, now, limit) };
      }
      const recorded = rateWindow.record(starts, [now], limit);
      const kept = [...takers, taker].slice(-Math.max(limit.max, 1));
      if (await this.write(doc, { ...fields, starts: recorded, takers: kept })) return { ok: true };
    }
    return { ok: false, racing: true };
  }

  /** Gives back the start `takeRate` recorded at `at` for `job` (its claim did not land). */
  async giveBackRate(limit: RateLimit, job: JobDocument, at: number): Promise<void> {
    const taker = takerOf(job);
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const { doc, fields } = await this.read(`rate:${limit.key}`);
      const takers = fields.takers ?? [];
      if (!takers.includes(taker)) return;
      const starts = [...(fields.starts ?? [])];
      const i = starts.lastIndexOf(at);
      if (i >= 0) starts.splice(i, 1);
      if (await this.write(doc, { ...fields, starts, takers: takers.filter((t) => t !== taker) })) return;
    }
  }

  /** The holders that still count (one read of each job). */
  private async live(holders: Holder[], now: number): Promise<Holder[]> {
    const jobs = await Promise.all(holders.map((h) => this.store.get(h.id)));
    return holders.filter((h, i) => {
      const job = jobs[i];
      if (!job) return false;
      if (job.status === 'running' && job.leaseToken === h.token) return true;
      return job.leaseToken < h.token && now < h.until;
    });
  }

  private async write(doc: JobDocument, fields: GateFields): Promise<boolean> {
    return (
      (await this.store.update(doc.id, doc.version, { metadata: fields as unknown as JsonValue })) !== null
    );
  }

  private async read(gate: string): Promise<Gate> {
    const known = this.ids.get(gate);
    if (known) {
      const doc = await this.store.get(known);
      if (doc) return { doc, fields: doc.metadata as GateFields };
      this.ids.delete(gate);
    }
    const key = `${FLOW_GATE_DOCUMENT_NAME}:${gate}`;
    let doc = await this.find(key);
    if (!doc) {
      await this.store.insert({
        id: uuidv7(),
        name: FLOW_GATE_DOCUMENT_NAME,
        metadata: {},
        priority: 0,
        runAt: NEVER,
        maxAttempts: 1,
        backoff: { type: 'fixed', delayMs: 0 },
        timeoutMs: null,
        key,
      });
      doc = await this.find(key);
      if (!doc) throw new Error(`${this.store.providerName}: the flow-control gate ${gate} was not written`);
    }
    this.ids.set(gate, doc.id);
    return { doc, fields: doc.metadata as GateFields };
  }

  private async find(key: string): Promise<JobDocument | null> {
    const page = await this.store.query({ key, names: [FLOW_GATE_DOCUMENT_NAME], limit: 1 });
    return page.items[0] ?? null;
  }
}

/** Who takes a rate start: one version of one job (only one claim of that version can land). */
function takerOf(job: JobDocument): string {
  return `${job.id}@${job.version}`;
}

const ledgers = new WeakMap<IDocumentDataProvider, FlowLedger>();

/** The ledger of `store` (one per store object). */
export function ledgerOf(store: IDocumentDataProvider): FlowLedger {
  let ledger = ledgers.get(store);
  if (!ledger) {
    ledger = new FlowLedger(store);
    ledgers.set(store, ledger);
  }
  return ledger;
}
