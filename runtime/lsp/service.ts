// The language service: everything the server answers, as plain functions of a document and a host, so
// tests drive it without a connection. Each document version is analysed once and the result shared by
// diagnostics, completion, hover, code actions, symbols and lenses.
import {
  CodeActionKind, DiagnosticSeverity,
  type CodeAction, type CodeLens, type CompletionItem, type Diagnostic as LspDiagnostic, type DocumentSymbol, type Hover, type Location, type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  isPlainObject, parseConfigDefaultsYaml, parseInitConfigYaml, parseSweepYaml,
  type Diagnostic, type ParsedConfigFile, type ParsedSweep, type QuickFix, type Severity,
} from '../sweeps/config';
import { fileKind, type FileKind } from './fileKinds';
import { CachedFiles, resolveProgram, uriToPath, type ServiceHost } from './host';
import type { PythonFacts } from './python';
import { complete } from './completion';
import { hover } from './hover';
import { definition, documentSymbols } from './navigation';

/** Files above this size get one note instead of a parse that would stall the server. */
export const MAX_CHECKED_CHARS = 3_000_000;

export interface Analysis {
  uri: string;
  version: number;
  file?: string;
  kind?: FileKind;
  sweep?: ParsedSweep;
  configFile?: ParsedConfigFile;
  diagnostics: Diagnostic[];
}

export interface ProgramInfo {
  file: string;
  facts: PythonFacts;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'trackwell', message: d.message, ...(d.data ? { data: d.data } : {}) };
}

export class SweepLanguageService {
  private readonly cache = new Map<string, Analysis>();
  readonly files = new CachedFiles();

  constructor(readonly host: ServiceHost) {}

  kindOf(doc: TextDocument): FileKind | undefined {
    const file = uriToPath(doc.uri);
    return fileKind({ file, text: doc.getText(), workspaceFolders: this.host.workspaceFolders(), sweepGlobs: this.host.settings().sweepFiles, initConfigFiles: this.host.initConfigFiles() });
  }

  analyze(doc: TextDocument): Analysis {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
    const file = uriToPath(doc.uri);
    const kind = this.kindOf(doc);
    const a: Analysis = { uri: doc.uri, version: doc.version, file, kind, diagnostics: [] };
    if (kind && text.length > MAX_CHECKED_CHARS) {
      a.diagnostics = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'information', code: 'yaml-syntax', source: 'trackwell', path: [],
        message: `This file is over ${MAX_CHECKED_CHARS / 1e6} million characters; Trackwell does not check it in the editor. Run \`trackwell sweep validate\` instead.` }];
    } else if (kind === 'sweep') {
      a.sweep = parseSweepYaml(text);
      a.diagnostics = a.sweep.diagnostics;
    } else if (kind === 'config-defaults' || kind === 'init-config') {
      a.configFile = kind === 'config-defaults' ? parseConfigDefaultsYaml(text) : parseInitConfigYaml(text);
      a.diagnostics = a.configFile.diagnostics;
    }
    this.cache.set(doc.uri, a);
    return a;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** Drops every analysis, e.g. after settings or the set of config= files changed. */
  reset(): void {
    this.cache.clear();
  }

  diagnostics(doc: TextDocument): LspDiagnostic[] {
    return this.analyze(doc).diagnostics.map(toLspDiagnostic);
  }

  /** The sweep's program, resolved and scanned; undefined when it names none or the file is missing. */
  program(a: Analysis): ProgramInfo | undefined {
    const raw = a.sweep?.raw;
    const name = isPlainObject(raw) && typeof raw.program === 'string' ? raw.program : undefined;
    if (!name) return undefined;
    const file = resolveProgram(name, a.file, this.host.workspaceFolders(), (f) => this.host.readFile(f) !== undefined);
    const text = file && this.host.readFile(file);
    if (!file || text === undefined) return undefined;
    return { file, facts: this.files.pythonFacts(file, text) };
  }

  complete(doc: TextDocument, pos: Position): Promise<CompletionItem[]> {
    const a = this.analyze(doc);
    return a.kind === 'sweep' ? complete(this, a, doc, pos) : Promise.resolve([]);
  }

  hover(doc: TextDocument, pos: Position): Hover | null {
    const a = this.analyze(doc);
    return a.kind === 'sweep' && a.sweep ? hover(this, a, a.sweep, doc.offsetAt(pos)) : null;
  }

  definition(doc: TextDocument, pos: Position): Location | null {
    const a = this.analyze(doc);
    return a.kind === 'sweep' && a.sweep ? definition(this, a, a.sweep, doc.offsetAt(pos)) : null;
  }

  symbols(doc: TextDocument): DocumentSymbol[] {
    const a = this.analyze(doc);
    return a.kind === 'sweep' && a.sweep ? documentSymbols(a.sweep) : [];
  }

  /**
   * Quick fixes for the diagnostics the editor sends back. Their edits are taken from the analysis of the
   * document as it is now, matched by code, range and message: a diagnostic published for an older
   * version (the user typed since) matches nothing and gets no fix, so a stale edit is never applied.
   */
  codeActions(doc: TextDocument, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
    const current = this.analyze(doc).diagnostics;
    const same = (a: LspDiagnostic, b: Diagnostic) => a.code === b.code && a.message === b.message && JSON.stringify(a.range) === JSON.stringify(b.range);
    const actions: CodeAction[] = [];
    for (const d of diagnostics) {
      if (d.source !== 'trackwell') continue;
      const fixes: QuickFix[] = current.find((c) => same(d, c))?.data?.fixes ?? [];
      for (const f of fixes) {
        actions.push({ title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: f.isPreferred, edit: { changes: { [doc.uri]: f.edits } } });
      }
    }
    return actions;
  }

  /** "Run Sweep" on a valid sweep; on an invalid one, a lens that says how many problems block it. */
  codeLenses(doc: TextDocument): CodeLens[] {
    const a = this.analyze(doc);
    if (a.kind !== 'sweep' || !a.sweep) return [];
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const errors = a.diagnostics.filter((d) => d.severity === 'error').length;
    if (!errors && a.sweep.config) return [{ range, command: { title: 'Trackwell: Run Sweep', command: 'trackwell.sweep.run', arguments: [doc.uri] } }];
    return [{ range, command: { title: `Trackwell: fix ${errors} problem${errors === 1 ? '' : 's'} to run this sweep`, command: 'workbench.actions.view.problems' } }];
  }
}
