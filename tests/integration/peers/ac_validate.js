// ac_validate.js -- checks Teams Workflows envelopes against the Adaptive
// Card 1.4 JSON schema (tests/data/schemas/adaptive-card-1.4.json) with ajv.
//
// usage: NODE_PATH=build/node/node_modules node ac_validate.js SCHEMA FILE...
// Prints "valid FILE" or "INVALID FILE" with reasons; exits 1 if any is
// invalid.  Beyond the schema it checks the envelope (type "message", the
// adaptive-card contentType) and the 28 KB Workflows size limit.
// Our own code, after receivers.md Appendix C (without the adaptivecards
// SDK parser: ajv alone is the check the tests rely on).
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemaPath, ...files] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
// The file is draft-06 with a draft-04 style root "id"; ajv 8 wants "$id".
if (schema.id && !schema.$id) { schema.$id = schema.id; delete schema.id; }
// Teams' host extension on the card root, which the generic schema forbids.
schema.definitions.AdaptiveCard.properties.msteams = {
  type: 'object', properties: { width: { enum: ['Full', 'full'] } }, additionalProperties: false };
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
addFormats(ajv);
const validateCard = ajv.compile(schema);

function problems(raw) {
  const out = [];
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > 28 * 1024) out.push(`envelope is ${bytes} bytes (> 28 KB)`);
  let env;
  try { env = JSON.parse(raw); } catch (e) { return [`not JSON: ${e.message}`]; }
  if (env.type !== 'message') out.push('type must be "message"');
  const atts = Array.isArray(env.attachments) ? env.attachments : [];
  if (atts.length === 0) out.push('attachments[] is empty');
  atts.forEach((a, i) => {
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive')
      out.push(`attachments[${i}].contentType`);
    const card = a.content || {};
    if (card.version !== '1.4') out.push(`attachments[${i}].content.version is not 1.4`);
    if (!validateCard(card))
      for (const e of validateCard.errors.slice(0, 8))
        out.push(`schema ${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
  });
  return out;
}

let bad = 0;
for (const f of files) {
  const p = problems(fs.readFileSync(f, 'utf8'));
  console.log(`${p.length ? 'INVALID' : 'valid'} ${f}`);
  p.forEach((x) => console.log('  - ' + x));
  if (p.length) bad++;
}
console.log(`${files.length - bad} passed, ${bad} failed`);
process.exit(bad || files.length === 0 ? 1 : 0);
