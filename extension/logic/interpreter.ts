// Which Python runs a script: the Python extension's selected interpreter, else the
// `trackwell.python.interpreter` setting, else python3 (python on Windows).

export interface InterpreterSources {
  fromPythonExtension?: string;
  setting?: string;
  platform?: NodeJS.Platform;
}

export function chooseInterpreter(s: InterpreterSources): { path: string; source: 'python-extension' | 'setting' | 'default' } {
  if (s.fromPythonExtension) return { path: s.fromPythonExtension, source: 'python-extension' };
  if (s.setting?.trim()) return { path: s.setting.trim(), source: 'setting' };
  return { path: (s.platform ?? process.platform) === 'win32' ? 'python' : 'python3', source: 'default' };
}
