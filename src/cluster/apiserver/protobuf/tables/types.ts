/**
 * Schema notation for the protobuf field tables.
 *
 * Each message is a map `fieldNumber -> [jsonName, type]` (entries are listed in Go struct
 * order for readability; decoded objects list their keys by field number). `type` is a small
 * string language:
 *
 *   base         scalar or message: `s` string, `i` int32 (also enums), `l` int64, `b` bool,
 *                `y` bytes (base64 in JSON), `time` (metav1.Time), `microtime`
 *                (metav1.MicroTime), `qty` (resource.Quantity), `ios` (intstr.IntOrString),
 *                `raw` (runtime.RawExtension / metav1.FieldsV1: embedded JSON), `strings` (a
 *                message whose field 1 is a repeated string, encoded in JSON as the bare list,
 *                e.g. ExtraValue), or the name of another message table.
 *   `[]` prefix  repeated field (a JSON list).
 *   `map:` prefix  map<string, base> (a JSON object).
 *   `!` suffix   keep the zero value: the Go field is a pointer or has no `omitempty`, so a
 *                value present on the wire is emitted even when it is "", 0 or false.
 *
 * A json name of `''` marks an embedded struct (`json:",inline"`): its fields are merged into
 * the parent object. Message-typed fields are emitted whenever present on the wire (Go's JSON
 * encoding never omits structs, and nil pointers are never written to the wire).
 */
export type FieldSpec = readonly [json: string, type: string];
export type MessageSpec = Readonly<Record<number, FieldSpec>>;
export type MessageTables = Readonly<Record<string, MessageSpec>>;
