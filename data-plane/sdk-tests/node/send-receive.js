// Sends and receives through a Gantry gateway with the RocketMQ 5 Node.js SDK, as a tenant's Node
// application would. Run by NodeSdkIT; also by hand:
//
//   GANTRY_ENDPOINT=127.0.0.1:PORT GANTRY_ACCESS_KEY=... GANTRY_SECRET_KEY=... \
//   GANTRY_TOPIC=greetings GANTRY_GROUP=node-readers node send-receive.js
//
// GANTRY_ENDPOINT is the gateway's plaintext listener: the SDK's TLS is off by default, and with TLS
// on it verifies the server certificate (a self-signed gateway would need its CA given to grpc-js).
// Optional: GANTRY_COUNT (default 5), GANTRY_EXPECT (comma-separated bodies another client sent that
// this consumer must also receive), GANTRY_TIMEOUT_MS (default 60000).
// Prints one line "RESULT {json}" and exits 0 when every expected message arrived under the plain
// topic name, 1 otherwise.
'use strict';

const { Producer, SimpleConsumer } = require('rocketmq-client-nodejs');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

async function main() {
  const endpoints = required('GANTRY_ENDPOINT');
  const sessionCredentials = {
    accessKey: required('GANTRY_ACCESS_KEY'),
    accessSecret: required('GANTRY_SECRET_KEY'),
  };
  const topic = required('GANTRY_TOPIC');
  const group = required('GANTRY_GROUP');
  const count = Number(process.env.GANTRY_COUNT || '5');
  const timeoutMs = Number(process.env.GANTRY_TIMEOUT_MS || '60000');
  const expectedFromOthers = (process.env.GANTRY_EXPECT || '').split(',').filter((b) => b.length > 0);
  const runId = `${process.pid}-${Date.now()}`;
  const common = { endpoints, sessionCredentials, sslEnabled: false, namespace: '', requestTimeout: 5000 };

  const consumer = new SimpleConsumer({
    ...common,
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: 2000,
  });
  const producer = new Producer({ ...common, topics: [topic] });
  const result = { sent: [], received: [], errors: [] };
  try {
    await consumer.startup();
    await producer.startup();
    for (let i = 0; i < count; i++) {
      const body = `node-${runId}-${i}`;
      const receipt = await producer.send({ topic, tag: 'node', keys: [`node-key-${i}`], body: Buffer.from(body) });
      result.sent.push({ body, messageId: receipt.messageId });
    }
    const expected = new Set([...result.sent.map((m) => m.body), ...expectedFromOthers]);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && ![...expected].every((b) => result.received.some((m) => m.body === b))) {
      let messages = [];
      try {
        messages = await consumer.receive(16, 15000);
      } catch (e) {
        result.errors.push(String(e && e.message ? e.message : e));
        continue;
      }
      for (const m of messages) {
        result.received.push({
          body: m.body.toString('utf8'),
          topic: m.topic,
          tag: m.tag,
          keys: m.keys,
          messageId: m.messageId,
        });
        await consumer.ack(m);
      }
    }
    const missing = [...expected].filter((b) => !result.received.some((m) => m.body === b));
    const wrongTopic = result.received.filter((m) => m.topic !== topic);
    result.ok = missing.length === 0 && wrongTopic.length === 0;
    result.missing = missing;
  } catch (e) {
    result.ok = false;
    result.errors.push(String(e && e.stack ? e.stack : e));
  } finally {
    console.log(`RESULT ${JSON.stringify(result)}`);
    await Promise.allSettled([producer.shutdown(), consumer.shutdown()]);
  }
  process.exit(result.ok ? 0 : 1);
}

main();
