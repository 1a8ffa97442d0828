// Plain scalars that PyYAML (wandb's reader) and YAML 1.2 (ours) read differently, e.g. `1e-5`: a
// number here, the string "1e-5" for PyYAML, which needs a dot in the mantissa and a signed exponent.
import { isScalar, type Scalar } from 'yaml';
import type { ConfigPath, ConfigProblem } from './diagnostics';
import { pyyamlResolve, pyyamlSafeFloatSpelling } from './pyyaml';
import type { YamlSource } from './yamlSource';

export function pyyamlPitfalls(source: YamlSource): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const e of source.entries()) {
    const node = e.value;
    if (!isScalar(node) || node.type !== 'PLAIN' || node.tag) continue;
    const text = source.sourceText(e.path);
    if (!text) continue;
    const p = pitfall(node, text, e.path);
    if (p) out.push({ path: e.path, target: 'value', severity: 'warning', ...p });
  }
  return out;
}

/** Plain decimals and words that cannot be booleans read the same in both: most scalars stop here. */
const SAME_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const MAYBE_DIFFERENT_TEXT = /^[-+.\d~]|^[yYnNoOtTfF]/;

function pitfall(node: Scalar, text: string, path: ConfigPath): Pick<ConfigProblem, 'code' | 'message' | 'fixes'> | undefined {
  const ours = node.value;
  if (typeof ours === 'number' ? SAME_NUMBER.test(text) : typeof ours !== 'string' || !MAYBE_DIFFERENT_TEXT.test(text)) return undefined;
  const py = pyyamlResolve(text);
  const replace = (title: string, newText: string, isPreferred = true) => ({ title, isPreferred, changes: [{ kind: 'replace-value' as const, path, text: newText }] });
  if (typeof ours === 'number') {
    if (py.type === 'str') {
      const spelled = pyyamlSafeFloatSpelling(text);
      if (spelled) {
        return { code: 'pyyaml-float', message: `PyYAML (used by wandb) reads \`${text}\` as the text "${text}", not a number; write \`${spelled}\` so both read ${ours}.`, fixes: [replace(`Write ${spelled}`, spelled)] };
      }
      return { code: 'pyyaml-number', message: `PyYAML (used by wandb) reads \`${text}\` as text, not the number ${ours}; write \`${ours}\`.`, fixes: [replace(`Write ${ours}`, String(ours))] };
    }
    if ((py.type === 'int' || py.type === 'float') && py.value !== ours && !(Number.isNaN(py.value) && Number.isNaN(ours))) {
      return { code: 'pyyaml-number', message: `\`${text}\` is ${ours} here but ${py.value} for PyYAML (used by wandb), which reads a leading 0 as octal; write \`${ours}\`.`, fixes: [replace(`Write ${ours}`, String(ours))] };
    }
    return undefined;
  }
  if (typeof ours !== 'string') return undefined;
  if (py.type === 'bool') {
    return {
      code: 'pyyaml-bool',
      message: `\`${text}\` is the text "${text}" here but ${py.value ? 'true' : 'false'} for PyYAML (used by wandb); write \`${py.value}\` for a boolean, or quote it ("${text}") for text.`,
      fixes: [replace(`Write ${py.value}`, String(py.value)), replace(`Quote it: "${text}"`, JSON.stringify(text), false)],
    };
  }
  if (py.type === 'int' || py.type === 'float') {
    return {
      code: 'pyyaml-number',
      message: `\`${text}\` is text here but the number ${py.value} for PyYAML (used by wandb); write \`${py.value}\` for the number, or quote it for text.`,
      fixes: [replace(`Write ${py.value}`, String(py.value)), replace(`Quote it: "${text}"`, JSON.stringify(text), false)],
    };
  }
  return undefined;
}
