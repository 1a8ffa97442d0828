// Where "Run with Tracking" lenses go in a Python file: above the main guard and above init calls.

const MAIN_GUARD = /^if\s+__name__\s*==\s*(['"])__main__\1\s*:/;
const INIT_CALL = /\b(?:wandb|trackwell|tw)\.init\s*\(/;

export function runLensLines(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  let inString: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // Skip the inside of triple-quoted strings (docstrings that show example code).
    const triples: string[] = line.match(/'''|"""/g) ?? [];
    if (inString) {
      if (triples.includes(inString) && triples.length % 2 === 1) inString = undefined;
      continue;
    }
    if (triples.length % 2 === 1) {
      inString = triples[0];
      continue;
    }
    const code = line.replace(/#.*$/, '');
    if (MAIN_GUARD.test(code.trim()) && !/^\s/.test(code)) out.push(i);
    else if (INIT_CALL.test(code)) out.push(i);
  }
  return out;
}
