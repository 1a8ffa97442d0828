// The console's terminal renderer: what a terminal would show for progress bars, erases and colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Terminal, color256 } from '../../webview/console/terminal';

const render = (...chunks: string[]) => {
  const t = new Terminal();
  for (const c of chunks) t.write(c);
  return t;
};

test('a carriage-return progress bar is one line showing its last state', () => {
  const chunks: string[] = [];
  for (let i = 0; i <= 100; i += 10) chunks.push(`\r${String(i).padStart(3)}%|${'#'.repeat(i / 10).padEnd(10)}|`);
  const t = render('start\n', ...chunks, '\ndone\n');
  assert.equal(t.plainText(), 'start\n100%|##########|\ndone');
  assert.equal(t.lineCount, 3);
});

test('overwriting is by column: a shorter redraw leaves the tail, as a terminal does', () => {
  assert.equal(render('epoch 10 loss 1.5\repoch 2').plainText(), 'epoch 20 loss 1.5');
  assert.equal(render('epoch 1\r', 'epoch 2\n').plainText(), 'epoch 2');
});

test('erase sequences and backspace', () => {
  assert.equal(render('hello world\r\x1b[Kbye').plainText(), 'bye');
  assert.equal(render('hello world\x1b[2Kx').plainText(), '           x');
  assert.equal(render('abcdef\r\x1b[3C\x1b[K').plainText(), 'abc');
  assert.equal(render('abc\b\bX').plainText(), 'aXc');
  assert.equal(render('abc\x1b[1D\x1b[1K').plainText(), '   ');
});

test('cursor up redraws an earlier line (nested tqdm bars)', () => {
  const t = render('outer 0%\ninner 0%', '\r\x1b[Aouter 50%\n\rinner 99%');
  assert.equal(t.plainText(), 'outer 50%\ninner 99%');
});

test('an escape sequence split across writes is completed by the next write', () => {
  const t = render('a\x1b[3', '1mred\x1b[0m b');
  assert.equal(t.plainText(), 'ared b');
  const spans = t.spans(0);
  assert.deepEqual(spans.map((s) => [s.text, s.style.fg]), [['a', undefined], ['red', 1], [' b', undefined]]);
});

test('SGR: 16 colours, bright, 256 and truecolor, attributes and resets', () => {
  const t = render('\x1b[1;32mok\x1b[22;39m \x1b[91mE\x1b[38;5;196mX\x1b[48;2;10;20;30mT\x1b[0m\x1b[4;7mu\x1b[m');
  const spans = t.spans(0);
  assert.deepEqual(spans.map((s) => s.text), ['ok', ' ', 'E', 'X', 'T', 'u']);
  assert.deepEqual(spans[0].style, { bold: true, fg: 2 });
  assert.deepEqual(spans[1].style, {});
  assert.equal(spans[2].style.fg, 9);
  assert.equal(spans[3].style.fg, '#ff0000');
  assert.deepEqual(spans[4].style, { fg: '#ff0000', bg: '#0a141e' });
  assert.deepEqual(spans[5].style, { underline: true, inverse: true });
  assert.equal(render('\x1b[38:2::1:2:3mx').spans(0)[0].style.fg, '#010203');
});

test('color256 table', () => {
  assert.equal(color256(4), 4);
  assert.equal(color256(16), '#000000');
  assert.equal(color256(231), '#ffffff');
  assert.equal(color256(232), '#080808');
  assert.equal(color256(255), '#eeeeee');
});

test('OSC sequences and private modes are dropped; tabs and unicode survive', () => {
  assert.equal(render('\x1b]0;title\x07\x1b[?25lhi\x1b[?25h').plainText(), 'hi');
  assert.equal(render('a\tb').plainText(), 'a       b');
  assert.equal(render('█▌ 😀\r█').plainText(), '█▌ 😀');
});

test('old lines are dropped past the limit and dirty tracking reports what changed', () => {
  const t = new Terminal(3);
  t.write('1\n2\n3\n4\n5');
  assert.equal(t.firstLine, 2);
  assert.equal(t.plainText(), '3\n4\n5');
  assert.equal(t.takeDirty(), 2);
  assert.equal(t.takeDirty(), Infinity);
  t.write('\r6');
  assert.equal(t.takeDirty(), 4);
  assert.equal(t.text(4), '6');
});
