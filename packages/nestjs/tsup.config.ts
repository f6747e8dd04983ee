import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

// src needs no decorator metadata: build it with the base (standard-decorator) settings.
export default defineConfig({ ...packageBuild({ index: 'src/index.ts' }), tsconfig: 'tsconfig.build.json' });
