import ts from 'typescript';

/**
 * A vite plugin transforming TypeScript with the TypeScript compiler, legacy
 * decorators and decorator metadata: Nest's constructor injection reads
 * `design:paramtypes`, which esbuild (the other projects' transform) does
 * not emit. Used by this package's tests and by examples/nestjs-worker.
 */
export function typescriptWithDecoratorMetadata() {
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
