import { defineConfig } from 'vitest/config';
import { esbuildTypeScript } from '../../vitest.shared.js';

/** Runs a README snippet that registers tests (the conformance kit), against the built packages. */
export default defineConfig({
  oxc: false,
  plugins: [esbuildTypeScript()],
  test: { include: ['.out/*.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
