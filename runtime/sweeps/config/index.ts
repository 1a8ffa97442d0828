// The sweep config module: the one owner of the sweep configuration's schema, checks and defaults, used
// by the language server, the CLI and the sweep engine alike.
export * from './types';
export type { ConfigPath, ConfigProblem, Diagnostic, DiagnosticCode, FixChange, FixIntent, LineColumn, Position, QuickFix, Range, Severity, TextEdit } from './diagnostics';
export { compareRanges, formatPath, hasErrors, toLineColumn } from './diagnostics';
export { parseSweepYaml, validateSweepConfig, locateProblems, type ParsedSweep, type ValidatedSweep } from './sweep';
export { fillDefaults, floatByValue, type FloatTest } from './defaults';
export { parseConfigDefaultsYaml, parsePlainConfigYaml, parseInitConfigYaml, looksLikeValueForm, type ParsedConfigFile } from './configFile';
export { DISTRIBUTIONS, DISTRIBUTION_NAMES, PARAMETER_KEYS, isDistribution, parameterForm, valuesFormLimits, type ParameterForm, type DistributionInfo } from './distributions';
export { COMMAND_MACROS, isPlainObject } from './checks';
export { SWEEP_SCHEMA, publishedSchemaValidator } from './schema';
export { DISTRIBUTION_DOCS, METHOD_DOCS, MACRO_DOCS, compactNumber, describeRange, gridSize, keyDoc, schemaNodeAt } from './describe';
export { YamlSource, pathKey, type YamlEntry } from './yamlSource';
export { suggest, editDistance } from './suggest';
export { pyyamlResolve, pyyamlSafeFloat, formatNumber } from './pyyaml';
