/** The scenarios in the order they run. */
import type { Scenario } from '../lib/scenario.js';
import { faultInjection } from './faults.js';
import { hostile } from './hostile.js';
import { kill9 } from './kill9.js';
import { pgStall } from './pg-stall.js';
import { poison } from './poison.js';
import { race } from './race.js';
import { sigterm } from './sigterm.js';
import { zombie } from './zombie.js';

/** Every scenario, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  kill9,
  poison,
  zombie,
  race,
  sigterm,
  faultInjection,
  pgStall,
  hostile,
];
