// Lint rules that hold the architecture together (see DESIGN.md "Boundaries").
import tseslint from 'typescript-eslint';

const noVscodeOrExtension = {
  paths: [{ name: 'vscode', message: 'runtime/ is a plain Node program: it must never import vscode.' }],
  patterns: [{ group: ['**/extension/**', '../extension', '../../extension'], message: 'runtime/ must not import from extension/.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test/artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['runtime/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscodeOrExtension] },
  },
  {
    // Protocol types depend on nothing else in the tree.
    files: ['runtime/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'protocol types depend on nothing.' }],
        patterns: [{ group: ['../*', '!./*', '**/store/**', '**/server/**', '**/ingest/**', '**/extension/**', '**/webview/**', 'better-sqlite3', 'node:*', 'fs', 'path'], message: 'runtime/protocol/ depends on nothing else in the tree.' }],
      }],
    },
  },
  {
    // The webview is browser code: protocol types only from runtime/, never runtime code or the store.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'webview code runs in a browser.' }, { name: 'better-sqlite3', message: 'the webview never touches the store.' }],
        patterns: [
          { regex: '^(\\.\\./)+runtime/(?!protocol/)', message: 'webview/ may import only runtime/protocol/ types.' },
          { group: ['node:*', 'fs', 'path', 'child_process', '**/extension/**'], message: 'webview/ has no Node APIs and no extension code.' },
        ],
      }],
    },
  },
  {
    // The extension reads data through the runtime API and live stream only.
    files: ['extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'better-sqlite3', message: 'extension/ must read data through the runtime API, never the database.' }],
        patterns: [{ regex: '^(\\.\\./)+runtime/store(/|$)', message: 'extension/ must not open the store; use the runtime API.' }],
      }],
    },
  },
);
