// package.json's `contributes.configuration` is the user-facing copy of DEFAULTS: every Settings key is
// contributed, with the same default, a matching type, a markdownDescription and a scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/shared/settings';

interface Contributed {
  type: string;
  default: unknown;
  markdownDescription?: string;
  scope?: string;
  items?: { type: string };
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const properties = pkg.contributes.configuration.properties;
const SCOPES = [
  'application',
  'machine',
  'machine-overridable',
  'window',
  'resource',
  'language-overridable',
];

void test('every Settings key is contributed with a default equal to DEFAULTS', () => {
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const p = properties[`trainio.${key}`];
    assert.ok(p, `trainio.${key} is not contributed in package.json`);
    assert.deepEqual(p.default, value, `trainio.${key}: package.json default differs from DEFAULTS`);
  }
});

void test('no contributed trainio.* setting is missing from Settings', () => {
  const known = new Set(Object.keys(DEFAULTS));
  for (const key of Object.keys(properties)) {
    assert.ok(key.startsWith('trainio.'), `${key} is outside the trainio section`);
    assert.ok(known.has(key.slice('trainio.'.length)), `${key} has no field in Settings`);
  }
});

void test('contributed types, descriptions and scopes fit the defaults', () => {
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const p = properties[`trainio.${key}`];
    const expected = Array.isArray(value) ? 'array' : typeof value;
    assert.equal(p.type, expected, `trainio.${key} type`);
    if (Array.isArray(value)) assert.equal(p.items?.type, 'string', `trainio.${key} items`);
    assert.ok((p.markdownDescription ?? '').length > 20, `trainio.${key} needs a markdownDescription`);
    assert.ok(p.scope && SCOPES.includes(p.scope), `trainio.${key} needs a valid scope`);
  }
});
