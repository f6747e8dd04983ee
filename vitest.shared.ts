import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Vite 8 transforms TypeScript with oxc, which does not lower standard
 * decorators; test files using `@JobCallbackName` go through esbuild instead.
 */
export function esbuildTypeScript() {
  return {
    name: 'jobservice:esbuild-ts',
    enforce: 'pre' as const,
    async transform(code: string, id: string) {
      if (!/\.[cm]?tsx?$/.test(id) || id.includes('/node_modules/')) return null;
      const out = await transform(code, {
        loader: id.endsWith('x') ? 'tsx' : 'ts',
        target: 'es2022',
        format: 'esm',
        sourcemap: true,
        sourcefile: id,
      });
      return { code: out.code, map: out.map };
    },
  };
}

/** Tests run on the packages' sources, not on `dist/`. */
export const sourceAliases = {
  '@jobservice/core/testing': `${root}packages/core/src/testing/index.ts`,
  '@jobservice/core': `${root}packages/core/src/index.ts`,
  '@jobservice/provider-channel': `${root}packages/provider-channel/src/index.ts`,
  '@jobservice/provider-fs': `${root}packages/provider-fs/src/index.ts`,
  '@jobservice/provider-postgres': `${root}packages/provider-postgres/src/index.ts`,
  '@jobservice/opentelemetry': `${root}packages/opentelemetry/src/index.ts`,
  '@jobservice/prometheus': `${root}packages/prometheus/src/index.ts`,
  '@jobservice/nestjs': `${root}packages/nestjs/src/index.ts`,
  '@jobservice/provider-redis': `${root}packages/provider-redis/src/index.ts`,
  '@jobservice/provider-rabbitmq': `${root}packages/provider-rabbitmq/src/index.ts`,
  '@jobservice/dashboard': `${root}packages/dashboard/src/index.ts`,
  '@jobservice/cli': `${root}packages/cli/src/index.ts`,
};

/** The vitest project config each package's `vitest.config.ts` starts from. */
export function packageTestProject(name: string, test: Record<string, unknown> = {}) {
  return {
    oxc: false as const,
    plugins: [esbuildTypeScript()],
    resolve: { alias: sourceAliases },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...test,
    },
  };
}
