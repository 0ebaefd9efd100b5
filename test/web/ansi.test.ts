import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ansiToHtml, PLAIN, sgrAfter } from '../../src/web/assets/ansi.ts';

test('SGR colours become classes and text is escaped', () => {
  const { html } = ansiToHtml('\x1b[1;31mfail <b>&</b>\x1b[0m ok');
  assert.equal(html, '<span class="f1 sb">fail &lt;b&gt;&amp;&lt;/b&gt;</span> ok');
});

test('256-colour and truecolour map onto palette classes', () => {
  assert.equal(ansiToHtml('\x1b[38;5;208mx').html, '<span class="f208">x</span>');
  assert.equal(ansiToHtml('\x1b[48;2;255;0;0mx').html, '<span class="b196">x</span>');
  assert.equal(ansiToHtml('\x1b[97;104mx').html, '<span class="f15 b12">x</span>');
});

test('other escapes vanish and a carriage return keeps the last redraw', () => {
  assert.equal(ansiToHtml('\x1b[2K\x1b]0;title\x07done\x1b[?25h').html, 'done');
  assert.equal(ansiToHtml('10%\r50%\r100%').html, '100%');
});

test('a colour left open carries into the next line', () => {
  const end = sgrAfter('\x1b[32mstarts green', PLAIN);
  assert.equal(ansiToHtml('still green', end).html, '<span class="f2">still green</span>');
  assert.equal(sgrAfter('no escapes', end), end);
});

test('injected markup never survives as markup', () => {
  const { html } = ansiToHtml('\x1b[31m"><img src=x onerror=alert(1)>\x1b[0m');
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&quot;&gt;&lt;img/);
});
