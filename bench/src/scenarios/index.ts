import type { Scenario } from '../context.js';
import { bulkEnqueue } from './bulk-enqueue.js';
import { claimCost } from './claim-cost.js';
import { flowControlFs, flowControlMemory, flowControlPg } from './flow-control.js';
import { fsThroughput } from './fs-throughput.js';
import { idleMemory } from './idle-memory.js';
import { latency } from './latency.js';
import { memoryThroughput } from './memory-throughput.js';
import { pgScaling } from './pg-scaling.js';
import { producers } from './producers.js';
import { soakMillion } from './soak-million.js';
import { throughputMultiProcess } from './throughput-multi-process.js';
import { throughputOneProcess } from './throughput-one-process.js';

/** Every scenario, in the order a run goes through them. */
export const SCENARIOS: readonly Scenario[] = [
  throughputOneProcess,
  throughputMultiProcess,
  pgScaling,
  bulkEnqueue,
  latency,
  producers,
  memoryThroughput,
  fsThroughput,
  flowControlMemory,
  flowControlFs,
  flowControlPg,
  claimCost,
  idleMemory,
  soakMillion,
];
