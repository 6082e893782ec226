import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, redactValue } from '../../../src/investigator/safety/redact.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'].join('\n');

const CASES: Array<{ name: string; input: string; kind: string; kept?: string[]; gone: string[] }> = [
  { name: 'PEM private key', input: `key follows\n${PEM}\nafter`, kind: 'private_key', kept: ['key follows', '\nafter'], gone: ['MIIEow', 'VTLw7'] },
  { name: 'PEM private key cut off before its END', input: `${PEM.split('\n').slice(0, 3).join('\n')}\n2026-01-01 next line`, kind: 'private_key', kept: ['\n2026-01-01 next line'], gone: ['MIIEow', 'VTLw7'] },
  { name: 'JWT', input: `token=${JWT} ok`.replace('token=', 'session '), kind: 'jwt', kept: ['session ', ' ok'], gone: [JWT.split('.')[2]] },
  { name: 'Authorization: Bearer header', input: 'GET / Authorization: Bearer abcDEF123456.xyz', kind: 'bearer_token', kept: ['Authorization: Bearer '], gone: ['abcDEF123456'] },
  { name: 'bare Bearer token', input: 'sent bearer 9f8e7d6c5b4a39281706', kind: 'bearer_token', gone: ['9f8e7d6c5b4a39281706'] },
  { name: 'AWS access key', input: 'aws key AKIAIOSFODNN7EXAMPLE used', kind: 'aws_access_key', gone: ['AKIAIOSFODNN7EXAMPLE'] },
  { name: 'GitHub token', input: 'GH ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok', kind: 'github_token', gone: ['ghp_abcdef'] },
  { name: 'GitHub fine-grained token', input: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', kind: 'github_token', gone: ['github_pat_11'] },
  { name: 'Slack token', input: 'slack xoxb-123456789012-abcdefghijkl', kind: 'slack_token', gone: ['xoxb-123'] },
  { name: 'password= pair', input: 'connecting with password=hunter2 now', kind: 'password', kept: ['password=', ' now'], gone: ['hunter2'] },
  { name: 'passwd: pair', input: 'passwd: s3cret!', kind: 'password', kept: ['passwd: '], gone: ['s3cret'] },
  { name: 'env-style DB_PASSWORD', input: '      DB_PASSWORD:  hunter2', kind: 'password', gone: ['hunter2'] },
  { name: '"apiKey": "..." pair', input: '{"apiKey": "abc\\"def", "user": "bob"}', kind: 'api_key', kept: ['"apiKey": "', '"user": "bob"'], gone: ['abc', 'def'] },
  { name: 'client_secret pair', input: 'client_secret=xyz987&grant=1', kind: 'api_key', kept: ['&grant=1'], gone: ['xyz987'] },
  { name: 'credentials in a URL', input: 'fetching https://deploy:tok3n@git.example.com/repo.git', kind: 'url_credentials', kept: ['https://deploy:', '@git.example.com/repo.git'], gone: ['tok3n'] },
  { name: 'database connection string', input: 'DATABASE_URL=postgres://app:s3cr3t@db:5432/app', kind: 'connection_string', kept: ['postgres://app:', '@db:5432/app'], gone: ['s3cr3t'] },
  { name: 'MongoDB SRV URL', input: 'mongodb+srv://admin:pw123@cluster0.example.net/db', kind: 'connection_string', gone: ['pw123'] },
  { name: 'ADO.NET connection string', input: 'Server=db;User Id=sa;Password=Pa55word;', kind: 'password', kept: ['Server=db;User Id=sa;', ';'], gone: ['Pa55word'] },
  { name: 'Secret manifest in text', input: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  username: YWRtaW4=\n  cert: |\n    line-one\n    line-two\ntype: Opaque', kind: 'secret_value', kept: ['username: ', 'cert: ', 'type: Opaque', 'name: db'], gone: ['YWRtaW4=', 'line-one', 'line-two'] },
  { name: 'YAML env entry with a sensitive name', input: 'env:\n- name: API_KEY_ID\n  value: "abc-123"\n- name: MODE\n  value: prod', kind: 'env_secret', kept: ['value: prod'], gone: ['abc-123'] },
];

for (const c of CASES) {
  test(`redactText: ${c.name}`, () => {
    const r = redactText(c.input);
    assert.ok(r.text.includes(`[REDACTED:${c.kind}]`), r.text);
    assert.ok((r.counts[c.kind] ?? 0) >= 1, JSON.stringify(r.counts));
    for (const g of c.gone) assert.ok(!r.text.includes(g), `${g} still in ${r.text}`);
    for (const k of c.kept ?? []) assert.ok(r.text.includes(k), `${k} lost from ${r.text}`);
  });
}

test('redactText leaves ordinary operational text alone', () => {
  const text = [
    'automountServiceAccountToken: false',
    "      DB_PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false",
    'bearer authentication failed for user bob',
    'Normal  Scheduled  pod/kv-store-0  Successfully assigned demo/kv-store-0 to node-1',
    'http://kv-store.demo.svc:8080/healthz returned 503',
    'secretName: db-credentials',
    '    SecretName:  db-credentials',
    'token:\n  audience: api',
    'image: registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ].join('\n');
  const r = redactText(text);
  assert.equal(r.text, text);
  assert.deepEqual(r.counts, {});
});

test('redactValue: a Secret keeps its keys, loses its values (and its last-applied annotation)', () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } },
    type: 'Opaque',
    data: { username: 'YWRtaW4=', password: 'aHVudGVyMg==' },
    stringData: { extra: 'plain' },
  };
  const r = redactValue(secret);
  assert.deepEqual(r.value.data, { username: '[REDACTED:secret_value]', password: '[REDACTED:secret_value]' });
  assert.deepEqual(r.value.stringData, { extra: '[REDACTED:secret_value]' });
  assert.equal(r.value.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '[REDACTED:secret_value]');
  assert.equal(r.value.type, 'Opaque');
  assert.equal(r.counts.secret_value, 4);
  assert.equal(secret.data.username, 'YWRtaW4=', 'the input is not modified');
});

test('redactValue: Secrets in a SecretList (items without kind) are redacted too', () => {
  const r = redactValue({ kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { k: 'dg==' } }] });
  assert.deepEqual(r.value.items[0].data, { k: '[REDACTED:secret_value]' });
});

test('redactValue: env literals with a sensitive name go, valueFrom references and other values stay', () => {
  const pod = {
    kind: 'Pod',
    spec: {
      containers: [
        {
          name: 'app',
          env: [
            { name: 'DB_PASSWORD', value: 'hunter2' },
            { name: 'GITHUB_TOKEN', value: 'abc' },
            { name: 'SIGNING_KEY', value: 'k' },
            { name: 'AWS_CREDENTIALS', value: 'c' },
            { name: 'OAUTH_CLIENT', value: 'o' },
            { name: 'MY_SECRET', value: 's' },
            { name: 'MODE', value: 'production' },
            { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
          ],
        },
      ],
    },
  };
  const r = redactValue(pod);
  const env = r.value.spec.containers[0].env;
  for (const e of env.slice(0, 6)) assert.equal(e.value, '[REDACTED:env_secret]', e.name);
  assert.equal(env[6].value, 'production');
  assert.deepEqual(env[7], { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } });
  assert.equal(r.counts.env_secret, 6);
});

test('redactValue: patterns inside strings and JSON pairs inside ConfigMap data', () => {
  const r = redactValue({ kind: 'ConfigMap', data: { 'app.properties': 'db.password=hunter2\nurl=https://u:p4ss@h/x', note: `bearer ${JWT}` } });
  assert.ok(!JSON.stringify(r.value).includes('hunter2'));
  assert.ok(!JSON.stringify(r.value).includes('p4ss'));
  assert.ok(!JSON.stringify(r.value).includes(JWT.split('.')[1]));
});

test('every pattern stays linear on 1 MB lines (no catastrophic backtracking)', { timeout: 60_000 }, () => {
  const MB = 1 << 20;
  const lines = [
    'a'.repeat(MB),
    'eyJ.'.repeat(MB / 4),
    'eyJa'.repeat(MB / 4),
    'password='.repeat(MB / 9),
    '"password":"'.repeat(MB / 12),
    'x://'.repeat(MB / 4),
    'a:b@'.repeat(MB / 4),
    'Bearer '.repeat(MB / 7),
    'authorization: bearer '.repeat(MB / 22),
    '-----BEGIN PRIVATE KEY-----'.repeat(MB / 27),
    '- name: TOKEN\n  value: '.repeat(MB / 24),
    'kind: Secret\ndata:\n'.repeat(MB / 19),
    'AKIA'.repeat(MB / 4),
    'ghp_'.repeat(MB / 4),
    'xoxb-'.repeat(MB / 5),
  ];
  for (const line of lines) {
    const r = redactText(line);
    assert.equal(typeof r.text, 'string');
  }
});
