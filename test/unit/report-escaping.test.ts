import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlText, html, scriptJson } from '../../src/core/report/htmlText';
import { markdownCode, markdownLine, markdownText } from '../../src/core/report/markdownText';
import { commandLine, visibleText } from '../../src/core/report/visibleText';
import { HOSTILE_NAME } from '../support/reportSample';

void test('visibleText shows control, bidi and separator characters instead of obeying them', () => {
  assert.equal(visibleText('a\nb\tc\r\u0000\u007f'), 'a\u2424b\u2409c\u240d\u2400\u2421');
  assert.equal(visibleText('x\u202ey\u2028z\u2066'), 'x\ufffdy\ufffdz\ufffd');
  assert.equal(visibleText('plain/path ünïcode 日本.png'), 'plain/path ünïcode 日本.png');
});

void test('htmlText escapes text and both attribute quote styles', () => {
  assert.equal(
    htmlText(`<a href='x' title="y">&amp;</a>`),
    '&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;',
  );
  const escaped = htmlText(HOSTILE_NAME);
  assert.doesNotMatch(escaped, /[<>"'\n\u2028\u202e]/);
});

void test('the html tag escapes every value unless it is already SafeHtml', () => {
  const inner = html`<b>${'<i>'}</b>`;
  const out = html`<p title="${'" onmouseover="x'}">${inner}${['<', 1, null, false, undefined]}</p>`;
  assert.equal(out.value, '<p title="&quot; onmouseover=&quot;x"><b>&lt;i&gt;</b>&lt;1</p>');
});

void test('scriptJson cannot close its script element and parses back to the same value', () => {
  const value = { name: HOSTILE_NAME, n: [1.5, -0, 1e21], nan: NaN };
  const text = scriptJson(value);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(text), { name: HOSTILE_NAME, n: [1.5, 0, 1e21], nan: null });
});

void test('markdownText escapes everything Markdown could act on', () => {
  assert.equal(
    markdownText('a|b*c_d`e[f](g)<h>&i~j\\k$'),
    'a\\|b\\*c\\_d\\`e\\[f\\](g)&lt;h&gt;&amp;i\\~j\\\\k\\$',
  );
  assert.equal(markdownLine('# title'), '\\# title');
  assert.equal(markdownLine('- item'), '\\- item');
  assert.equal(markdownLine('12. item'), '12\\. item');
  assert.equal(markdownText('12. item'), '12. item', 'inside a line a number needs no escape');
  assert.equal(markdownText('two\nlines'), 'two\u2424lines');
  assert.equal(
    markdownText('http://x.y, www.z.com, a@b.c'),
    'http\\://x.y, www\\.z.com, a\\@b.c',
    'no autolinks',
  );
});

void test('markdownCode picks a fence longer than any backtick run and keeps table cells whole', () => {
  assert.equal(markdownCode('/data/x.png'), '`/data/x.png`');
  assert.equal(markdownCode('a`b'), '``a`b``');
  assert.equal(markdownCode('`x``'), '``` `x`` ```');
  assert.equal(markdownCode('a|b'), '`a\\|b`');
  assert.equal(markdownCode(''), '` `');
});

void test('commandLine quotes arguments a shell would split or expand', () => {
  assert.equal(commandLine(['python3', 'train.py', '--lr', '0.1']), 'python3 train.py --lr 0.1');
  assert.equal(commandLine(['python3', 'my file.py', "it's", '']), `python3 'my file.py' 'it'\\''s' ''`);
});
