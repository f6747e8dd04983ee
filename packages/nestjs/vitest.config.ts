import ts from 'typescript';
import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

/**
 * Nest's constructor injection reads `design:paramtypes`, which esbuild (the
 * other projects' transform) does not emit: this project's TypeScript goes
 * through the TypeScript compiler with legacy decorators and decorator metadata.
 */
function typescriptWithDecoratorMetadata() {
  return {
    name: 'jobservice:tsc-decorator-metadata',
    enforce: 'pre' as const,
    transform(code: string, id: string) {
      if (!/\.[cm]?tsx?$/.test(id) || id.includes('/node_modules/')) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          sourceMap: true,
          inlineSources: true,
        },
      });
      return { code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map: out.sourceMapText };
    },
  };
}

export default defineProject({
  oxc: false,
  plugins: [typescriptWithDecoratorMetadata()],
  resolve: { alias: sourceAliases },
  test: {
    name: 'nestjs',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../provider-postgres/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
