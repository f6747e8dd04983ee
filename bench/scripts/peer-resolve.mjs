/**
 * Loaded with `--import` by the bench (and inherited by its worker
 * processes through NODE_OPTIONS): resolves the peer systems measured
 * against — graphile-worker, pg-boss, BullMQ, ioredis — from
 * `bench/runtime/node_modules`, where `npm run bench` installs them, so the
 * repository's own install (Node 20) never pulls packages that want Node 22.
 */
import { register } from 'node:module';

register('./peer-resolve-hooks.mjs', import.meta.url);
