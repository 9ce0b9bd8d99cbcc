import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (*.spec.ts) and need nothing running. Integration suites under
// tests/ need the real stack, which tests/stack/with-stack.sh brings up around them (npm run test:stack).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'producer/**/*.spec.ts',
            'core/**/*.spec.ts',
            'electron/**/*.spec.ts',
            'renderer/**/*.spec.ts',
            // Component tests: each opts into a DOM with a `@vitest-environment happy-dom` docblock.
            'renderer/**/*.spec.tsx',
            'tests/unit/**/*.spec.ts',
            'bench/**/*.spec.ts',
          ],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'stack',
          include: ['tests/stack/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: 420_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'installed',
          include: ['tests/installed/**/*.test.ts'],
          testTimeout: 400_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'stack-lifecycle',
          include: ['tests/stack-lifecycle/**/*.test.ts'],
          testTimeout: 400_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
