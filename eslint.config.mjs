// Layers are enforced here (STYLE.md): only src/extension may import vscode; src/shared and the
// webview are pure (no node:*), and core/cli never import the extension.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'events',
  'stream',
  'util',
  'readline',
  'net',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.cache/**',
      'test-results/**',
      'bench/.runs/**',
      'trainio-demo/**',
      'test/workloads/**',
      'test/fixtures/**',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }],
          patterns: [{ group: ['**/extension/**'], message: 'core and cli never import the extension.' }],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'webview/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'Only src/extension may import vscode.' },
            ...nodeBuiltins
              .filter((n) => !n.includes('*'))
              .map((name) => ({ name, message: 'src/shared and webview are pure: no Node built-ins.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'src/shared and webview are pure: no Node built-ins.' },
            {
              group: ['**/core/**', '**/extension/**', '**/cli/**'],
              message: 'src/shared and webview import src/shared only.',
            },
          ],
        },
      ],
    },
  },
);
