import { defineProject } from 'vitest/config';
import { packageTestProject } from '../../vitest.shared.js';

export default defineProject(packageTestProject('example-flow-control'));
