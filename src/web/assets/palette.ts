// The CSS for the 256 ANSI palette classes `f<n>`/`b<n>` the log viewer uses, tuned for
// readable contrast on the dark log background.

const BASE16 = [
  '#6e7681',
  '#ff7b72',
  '#7ee787',
  '#e3b341',
  '#79c0ff',
  '#d2a8ff',
  '#56d4dd',
  '#c9d1d9',
  '#8b949e',
  '#ffa198',
  '#aff5b4',
  '#f8e3a1',
  '#a5d6ff',
  '#e2c5ff',
  '#b3f0ff',
  '#ffffff',
];
const BG16 = [
  '#30363d',
  '#8e1519',
  '#116329',
  '#7d4e00',
  '#0a3069',
  '#6e40c9',
  '#1b7c83',
  '#6e7681',
  '#484f58',
  '#a40e26',
  '#1a7f37',
  '#9a6700',
  '#0550ae',
  '#8250df',
  '#3192aa',
  '#8c959f',
];

/** The xterm RGB of palette entry `n` (16–255). */
function xterm(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return hex(v, v, v);
  }
  const i = n - 16;
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return hex(step(Math.floor(i / 36)), step(Math.floor(i / 6) % 6), step(i % 6));
}

function hex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Stylesheet text for `.log .f0`…`.f255` and `.log .b0`…`.b255`. */
export function paletteCss(): string {
  const rules: string[] = [];
  for (let n = 0; n < 256; n++) {
    const fg = n < 16 ? BASE16[n] : xterm(n);
    const bg = n < 16 ? BG16[n] : xterm(n);
    rules.push(`.log .f${n}{color:${fg}}`, `.log .b${n}{background:${bg}}`);
  }
  return `${rules.join('\n')}\n`;
}
