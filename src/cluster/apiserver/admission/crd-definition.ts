/**
 * Validation of a CustomResourceDefinition (apiextensions.k8s.io/v1) itself: names, scope,
 * versions, structural schemas, CEL rules (they must compile), printer columns, selectable
 * fields, subresources and conversion. Messages and field paths follow the real server
 * (`spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: ...`).
 */
import type { JSONSchemaProps, KubeObject, ValidationRule } from '../../core/types.ts';
import type { StatusCause } from '../errors.ts';
import { compileRule } from './cel.ts';
import { goQuote } from '../../../platform/go-format.ts';
import { fieldError, normalizeRuleFieldPath, validateValue } from './crd-schema.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function dns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

function dns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(v)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

function isRecord(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Go's `%#v` of a ValidationRule, as the real server prints a rule that fails to compile. */
function ruleRepr(r: ValidationRule): string {
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : `(*apiextensions.FieldValueErrorReason)(${goQuote(r.reason)})`;
  const optional = r.optionalOldSelf === undefined ? '(*bool)(nil)' : `(*bool)(${r.optionalOldSelf})`;
  return (
    `apiextensions.ValidationRule{Rule:${goQuote(r.rule ?? '')}, Message:${goQuote(r.message ?? '')}, ` +
    `MessageExpression:${goQuote(r.messageExpression ?? '')}, Reason:${reason}, FieldPath:${goQuote(r.fieldPath ?? '')}, OptionalOldSelf:${optional}}`
  );
}

function invalidRaw(field: string, repr: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${repr}: ${detail}` };
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

type Level = 'root' | 'item' | 'field';

interface SchemaWalk {
  out: StatusCause[];
  /** The data path of the node (`spec.replicas`), used to validate defaults like the server does. */
  dataPath: string;
  /** Where the uncorrelatable portion of the schema starts (rules there may not use oldSelf). */
  uncorrelatable?: string;
  resourceRoot: boolean;
}

const NESTED_FORBIDDEN: [keyof JSONSchemaProps, string][] = [
  ['type', 'must be empty to be structural'],
  ['additionalProperties', 'must be undefined to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
];

function isIntOrStringAnyOf(list: JSONSchemaProps[] | undefined): boolean {
  return (
    !!list &&
    list.length === 2 &&
    list[0].type === 'integer' &&
    list[1].type === 'string' &&
    Object.keys(list[0]).length === 1 &&
    Object.keys(list[1]).length === 1
  );
}

/** allOf/anyOf/oneOf/not branches: value validations only. */
function validateNested(s: JSONSchemaProps, path: string, level: Level, skipAnyOf: boolean, out: StatusCause[]): void {
  for (const [key, detail] of NESTED_FORBIDDEN) {
    const v = s[key];
    if (v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (key === 'x-kubernetes-int-or-string' && skipAnyOf) continue;
    out.push(fieldError.forbidden(`${path}.${String(key)}`, detail));
  }
  if (s.properties?.metadata) out.push(fieldError.forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  validateJunctors(s, path, level, skipAnyOf, out);
  if (s.items) validateNested(s.items, `${path}.items`, level, false, out);
  for (const [k, p] of Object.entries(s.properties ?? {})) validateNested(p, `${path}.properties[${k}]`, 'field', false, out);
}

function validateJunctors(s: JSONSchemaProps, path: string, level: Level, skipAnyOf: boolean, out: StatusCause[]): void {
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => validateNested(x, `${path}.anyOf[${i}]`, level, false, out));
  const skipFirstAllOfAnyOf = !!s['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  (s.allOf ?? []).forEach((x, i) => validateNested(x, `${path}.allOf[${i}]`, level, skipFirstAllOfAnyOf && i === 0, out));
  (s.oneOf ?? []).forEach((x, i) => validateNested(x, `${path}.oneOf[${i}]`, level, false, out));
  if (s.not) validateNested(s.not, `${path}.not`, level, false, out);
  if (s.pattern) {
    try {
      new RegExp(s.pattern);
    } catch (err) {
      out.push(fieldError.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`));
    }
  }
}

function validateRules(s: JSONSchemaProps, path: string, walk: SchemaWalk): void {
  const rules = s['x-kubernetes-validations'];
  if (!rules) return;
  if (!Array.isArray(rules)) {
    walk.out.push(fieldError.invalid(`${path}.x-kubernetes-validations`, '', 'must be a list of rules'));
    return;
  }
  rules.forEach((rule, i) => {
    const at = `${path}.x-kubernetes-validations[${i}]`;
    if (!isRecord(rule) || typeof rule.rule !== 'string' || rule.rule.trim() === '') {
      walk.out.push(fieldError.required(`${at}.rule`));
      return;
    }
    const compiled = compileRule(rule as ValidationRule, s, walk.resourceRoot);
    if (compiled.error) walk.out.push(invalidRaw(`${at}.rule`, ruleRepr(rule as ValidationRule), compiled.error));
    if (compiled.messageError) walk.out.push(fieldError.invalid(`${at}.messageExpression`, rule.messageExpression, compiled.messageError));
    if (rule.message !== undefined) {
      if (typeof rule.message !== 'string' || rule.message.trim() === '') {
        walk.out.push(fieldError.required(`${at}.message`, 'message must be non-empty if specified'));
      } else if (/\n/.test(rule.message)) {
        walk.out.push(fieldError.invalid(`${at}.message`, rule.message, 'message must not contain line breaks'));
      } else if (rule.message.length > 2048) {
        walk.out.push(fieldError.tooLong(`${at}.message`, 2048));
      }
    }
    if (rule.messageExpression !== undefined && (typeof rule.messageExpression !== 'string' || rule.messageExpression.trim() === '')) {
      walk.out.push(fieldError.required(`${at}.messageExpression`, 'messageExpression must be non-empty if specified'));
    }
    const reasons = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
    if (rule.reason !== undefined && !reasons.includes(rule.reason)) {
      walk.out.push(fieldError.notSupported(`${at}.reason`, rule.reason, reasons));
    }
    if (rule.fieldPath !== undefined && rule.fieldPath !== '') {
      const fp = normalizeRuleFieldPath(String(rule.fieldPath), s);
      if ('error' in fp) walk.out.push(fieldError.invalid(`${at}.fieldPath`, rule.fieldPath, `fieldPath must be a valid path: ${fp.error}`));
    }
    if (!compiled.error) {
      if (rule.optionalOldSelf && !compiled.usesOldSelf) {
        walk.out.push(fieldError.forbidden(`${at}.optionalOldSelf`, 'may not be set if rule does not use oldSelf'));
      }
      if (compiled.usesOldSelf && walk.uncorrelatable !== undefined) {
        walk.out.push(
          invalidRaw(`${at}.rule`, ruleRepr(rule as ValidationRule), `oldSelf cannot be used on the uncorrelatable portion of the schema within ${walk.uncorrelatable}`),
        );
      }
    }
  });
}

function childData(walk: SchemaWalk, key: string, resourceRoot: boolean, uncorrelatable = walk.uncorrelatable): SchemaWalk {
  return { out: walk.out, dataPath: walk.dataPath ? `${walk.dataPath}.${key}` : key, uncorrelatable, resourceRoot };
}

function validateSchemaNode(s: JSONSchemaProps, path: string, level: Level, walk: SchemaWalk): void {
  const { out } = walk;
  if (!isRecord(s)) {
    out.push(fieldError.invalid(path, s, 'must be an object'));
    return;
  }
  const type = s.type ?? '';
  if ('$ref' in s) out.push(fieldError.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (type === 'array' && !s.items) out.push(fieldError.required(`${path}.items`, 'must be specified'));
  if (s.items) {
    const correlatable = s['x-kubernetes-list-type'] === 'map';
    const unc = walk.uncorrelatable ?? (correlatable ? undefined : walk.dataPath || '<root>');
    validateSchemaNode(s.items, `${path}.items`, 'item', { out, dataPath: `${walk.dataPath}[*]`, uncorrelatable: unc, resourceRoot: !!s.items['x-kubernetes-embedded-resource'] });
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    validateSchemaNode(p, `${path}.properties[${k}]`, 'field', childData(walk, k, !!p?.['x-kubernetes-embedded-resource']));
  }
  if (s.additionalProperties !== undefined) {
    if (level === 'root') out.push(fieldError.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (s.properties && Object.keys(s.properties).length > 0 && (s.additionalProperties === false || typeof s.additionalProperties === 'object')) {
      out.push(fieldError.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    } else if (s.additionalProperties === false) {
      out.push(fieldError.forbidden(`${path}.additionalProperties`, 'must not be false'));
    }
    if (typeof s.additionalProperties === 'object') {
      const add = s.additionalProperties;
      validateSchemaNode(add, `${path}.additionalProperties`, 'field', childData(walk, '*', !!add['x-kubernetes-embedded-resource']));
    }
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-preserve-unknown-fields']) {
    out.push(fieldError.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-embedded-resource']) {
    out.push(fieldError.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  validateJunctors(s, path, level, !!s['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(s.anyOf), out);

  const checkMetadata = level === 'root' || !!s['x-kubernetes-embedded-resource'];
  if (s['x-kubernetes-embedded-resource'] && type !== 'object') {
    if (!type) out.push(fieldError.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else out.push(fieldError.invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    const detail = level === 'root' ? 'must not be empty at the root' : level === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    out.push(fieldError.required(`${path}.type`, detail));
  }
  if (s['x-kubernetes-embedded-resource'] && s.additionalProperties !== undefined) {
    out.push(fieldError.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (level === 'root' && type && type !== 'object') out.push(fieldError.invalid(`${path}.type`, type, 'must be object at the root'));
  const props = s.properties ?? {};
  if (checkMetadata) {
    if (props.kind && props.kind.type !== 'string') out.push(fieldError.invalid(`${path}.properties[kind].type`, props.kind.type ?? '', 'must be string'));
    if (props.apiVersion && props.apiVersion.type !== 'string') out.push(fieldError.invalid(`${path}.properties[apiVersion].type`, props.apiVersion.type ?? '', 'must be string'));
    if (props.metadata && props.metadata.type !== 'object') out.push(fieldError.invalid(`${path}.properties[metadata].type`, props.metadata.type ?? '', 'must be object'));
  }
  if (props.metadata && level === 'root') {
    const allowed = new Set(['type', 'properties', 'description']);
    const metaProps = Object.keys(props.metadata.properties ?? {});
    const extra = Object.keys(props.metadata).some((k) => !allowed.has(k)) || metaProps.some((k) => k !== 'name' && k !== 'generateName');
    if (extra) out.push(fieldError.forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  if (s['x-kubernetes-embedded-resource'] && !s['x-kubernetes-preserve-unknown-fields'] && Object.keys(props).length === 0) {
    out.push(fieldError.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  if (s.uniqueItems === true) out.push(fieldError.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));

  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(listType)) out.push(fieldError.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    else if (type !== 'array') out.push(fieldError.invalid(`${path}.x-kubernetes-list-type`, listType, 'must only be used if type is array'));
    if (listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      if (keys.length === 0) out.push(fieldError.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items && s.items.type !== 'object') out.push(fieldError.invalid(`${path}.items.type`, s.items.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
      keys.forEach((k, i) => {
        if (s.items?.type === 'object' && !s.items.properties?.[k]) {
          out.push(fieldError.invalid(`${path}.x-kubernetes-list-map-keys[${i}]`, k, 'entries must all be names of item properties'));
        }
      });
    }
    if (listType === 'set' && s.items && s.items.type !== undefined && !['string', 'integer', 'number', 'boolean'].includes(s.items.type) && !s.items['x-kubernetes-map-type']) {
      out.push(fieldError.invalid(`${path}.items.x-kubernetes-map-type`, null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) {
    out.push(fieldError.forbidden(`${path}.x-kubernetes-list-map-keys`, 'must not be set if x-kubernetes-list-type is not map'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    out.push(fieldError.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }

  if (s.default !== undefined && level !== 'root') {
    for (const err of validateValue(s.default, s, walk.dataPath)) {
      out.push({ ...err, field: `${path}.default` });
    }
  }
  validateRules(s, path, walk);
}

// ---------------------------------------------------------------------------------------------
// Versions, columns, fields, subresources
// ---------------------------------------------------------------------------------------------

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function validateColumns(cols: unknown, path: string, out: StatusCause[]): void {
  if (cols === undefined) return;
  if (!Array.isArray(cols)) {
    out.push(fieldError.invalid(path, '', 'must be a list'));
    return;
  }
  cols.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(c)) return;
    if (!str(c.name)) out.push(fieldError.required(`${at}.name`));
    if (!str(c.type)) out.push(fieldError.required(`${at}.type`));
    else if (!COLUMN_TYPES.includes(c.type)) out.push(fieldError.notSupported(`${at}.type`, c.type, COLUMN_TYPES));
    if (c.format !== undefined && c.format !== '' && !COLUMN_FORMATS.includes(c.format)) out.push(fieldError.notSupported(`${at}.format`, c.format, COLUMN_FORMATS));
    if (typeof c.priority === 'number' && c.priority < 0) out.push(fieldError.invalid(`${at}.priority`, c.priority, 'must be greater than or equal to 0'));
    if (!str(c.jsonPath)) out.push(fieldError.required(`${at}.jsonPath`));
    else if (!c.jsonPath.startsWith('.')) out.push(fieldError.invalid(`${at}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
  });
}

function schemaAt(schema: JSONSchemaProps | undefined, jsonPath: string): JSONSchemaProps | undefined {
  let s = schema;
  for (const part of jsonPath.slice(1).split('.')) {
    if (!s) return undefined;
    if (part === 'metadata' && s === schema) return { type: 'object', properties: { name: { type: 'string' }, namespace: { type: 'string' } } };
    s = s.properties?.[part] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

function validateSelectableFields(fields: unknown, schema: JSONSchemaProps | undefined, path: string, out: StatusCause[]): void {
  if (fields === undefined) return;
  if (!Array.isArray(fields)) {
    out.push(fieldError.invalid(path, '', 'must be a list'));
    return;
  }
  if (fields.length > 8) out.push(fieldError.tooMany(path, fields.length, 8));
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const at = `${path}[${i}].jsonPath`;
    const jp = isRecord(f) ? str(f.jsonPath) : '';
    if (!jp) {
      out.push(fieldError.required(at));
      return;
    }
    if (!jp.startsWith('.') || /[[\]]/.test(jp) || jp === '.') {
      out.push(fieldError.invalid(at, jp, 'must be a simple json path starting with .'));
      return;
    }
    if (seen.has(jp)) out.push(fieldError.duplicate(at, jp));
    seen.add(jp);
    if (!schema) return;
    const target = schemaAt(schema, jp);
    if (!target) {
      out.push(fieldError.invalid(at, jp, 'is an invalid path: does not refer to a valid field'));
    } else if (!['string', 'integer', 'boolean'].includes(target.type ?? '')) {
      out.push(fieldError.invalid(at, jp, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed'));
    }
  });
}

function validateSubresources(sub: unknown, path: string, out: StatusCause[]): void {
  if (!isRecord(sub)) return;
  const scale = sub.scale;
  if (isRecord(scale)) {
    const spec = str(scale.specReplicasPath);
    const status = str(scale.statusReplicasPath);
    if (!spec) out.push(fieldError.required(`${path}.scale.specReplicasPath`));
    else if (!spec.startsWith('.spec.')) out.push(fieldError.invalid(`${path}.scale.specReplicasPath`, spec, 'should be a json path under .spec'));
    if (!status) out.push(fieldError.required(`${path}.scale.statusReplicasPath`));
    else if (!status.startsWith('.status.')) out.push(fieldError.invalid(`${path}.scale.statusReplicasPath`, status, 'should be a json path under .status'));
    const sel = scale.labelSelectorPath;
    if (typeof sel === 'string' && sel !== '' && !sel.startsWith('.spec.') && !sel.startsWith('.status.')) {
      out.push(fieldError.invalid(`${path}.scale.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'));
    }
  }
}

/**
 * Validates a CustomResourceDefinition: metadata.name is `<plural>.<group>`, the group is a DNS
 * subdomain with a dot, names and scope are set, exactly one storage version, every version
 * has a structural schema whose CEL rules compile, printer columns and selectable fields use
 * `.`-paths. Returns one cause per problem (empty when valid).
 */
export function validateCrdDefinition(crd: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec: Record<string, any> = isRecord(crd.spec) ? crd.spec : {};
  const names: Record<string, any> = isRecord(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const plural = str(names.plural);

  const name = str(crd.metadata?.name);
  if (name && name !== `${plural}.${group}`) out.push(fieldError.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));

  if (!group) out.push(fieldError.required('spec.group'));
  else if (dns1123Subdomain(group).length) out.push(fieldError.invalid('spec.group', group, dns1123Subdomain(group).join(',')));
  else if (group.split('.').length < 2) out.push(fieldError.invalid('spec.group', group, 'should be a domain with at least one dot'));

  const scope = str(spec.scope);
  if (!scope) out.push(fieldError.required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') out.push(fieldError.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));

  const versions: unknown[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) out.push(fieldError.required('spec.versions', 'must have at least one version'));
  const versionNames = new Set<string>();
  let storage = 0;
  let unique = true;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (!isRecord(v)) {
      out.push(fieldError.invalid(at, v, 'must be an object'));
      return;
    }
    const vname = str(v.name);
    if (v.storage === true) storage++;
    if (versionNames.has(vname)) unique = false;
    versionNames.add(vname);
    if (!vname) out.push(fieldError.required(`${at}.name`));
    else if (dns1035Label(vname).length) out.push(fieldError.invalid(`${at}.name`, vname, dns1035Label(vname).join(',')));
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (schema === undefined) {
      out.push(fieldError.required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
    } else {
      validateSchemaNode(schema as JSONSchemaProps, `${at}.schema.openAPIV3Schema`, 'root', { out, dataPath: '', resourceRoot: true });
      if (isRecord(v.subresources) && v.subresources.status !== undefined && isRecord(schema)) {
        const allowed = ['description', 'type', 'required', 'properties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations'];
        if (schema.type !== undefined && schema.type !== 'object') {
          out.push(fieldError.invalid(`${at}.schema.openAPIV3Schema.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
        } else if (Object.keys(schema).some((k) => !allowed.includes(k))) {
          out.push(
            fieldError.invalid(
              `${at}.schema.openAPIV3Schema`,
              '',
              'only [Description Type Required Properties XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
            ),
          );
        }
      }
    }
    validateColumns(v.additionalPrinterColumns, `${at}.additionalPrinterColumns`, out);
    validateSelectableFields(v.selectableFields, schema as JSONSchemaProps | undefined, `${at}.selectableFields`, out);
    validateSubresources(v.subresources, `${at}.subresources`, out);
  });
  const versionsRepr = `[]apiextensions.CustomResourceDefinitionVersion{${versions
    .map((v) => (isRecord(v) ? `{Name:${goQuote(str(v.name))}, Served:${v.served === true}, Storage:${v.storage === true}}` : '{}'))
    .join(', ')}}`;
  if (!unique) out.push(invalidRaw('spec.versions', versionsRepr, 'must contain unique version names'));
  if (versions.length > 0 && storage !== 1) out.push(invalidRaw('spec.versions', versionsRepr, 'must have exactly one version marked as storage version'));

  if (!plural) out.push(fieldError.required('spec.names.plural'));
  if (!str(names.kind)) out.push(fieldError.required('spec.names.kind'));
  const nameChecks: [string, string, boolean][] = [
    ['plural', plural, false],
    ['singular', str(names.singular), false],
    ['kind', str(names.kind), true],
    ['listKind', str(names.listKind), true],
  ];
  for (const [key, value, mixedCase] of nameChecks) {
    if (!value) continue;
    const errs = dns1035Label(mixedCase ? value.toLowerCase() : value);
    if (errs.length) out.push(fieldError.invalid(`spec.names.${key}`, value, (mixedCase ? 'may have mixed case, but should otherwise match: ' : '') + errs.join(',')));
  }
  if (str(names.kind) && names.kind === names.listKind) out.push(fieldError.invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  for (const [key, list] of [['shortNames', names.shortNames], ['categories', names.categories]] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((x: unknown, i: number) => {
      const errs = dns1035Label(str(x));
      if (errs.length) out.push(fieldError.invalid(`spec.names.${key}[${i}]`, x, errs.join(',')));
    });
  }

  if (spec.preserveUnknownFields === true) {
    out.push(fieldError.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  const conversion = spec.conversion;
  if (isRecord(conversion)) {
    const strategy = str(conversion.strategy);
    if (strategy && strategy !== 'None' && strategy !== 'Webhook') {
      out.push(fieldError.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
    } else if (strategy === 'Webhook') {
      const webhook = conversion.webhook;
      if (!isRecord(webhook)) {
        out.push(fieldError.required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
      } else {
        if (!isRecord(webhook.clientConfig)) out.push(fieldError.required('spec.conversion.webhook.clientConfig', 'required when strategy is set to Webhook'));
        if (!Array.isArray(webhook.conversionReviewVersions) || webhook.conversionReviewVersions.length === 0) {
          out.push(fieldError.required('spec.conversion.webhook.conversionReviewVersions', 'must contain at least one value'));
        }
      }
    } else if (strategy === 'None' && conversion.webhook !== undefined) {
      out.push(fieldError.forbidden('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'));
    }
  }
  return out;
}
