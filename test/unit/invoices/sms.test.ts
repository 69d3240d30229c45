import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSmsSender, HttpSmsSink, SnsSmsSender } from '../../../functions/shared/sms.js';

const sns = mockClient(SNSClient);
afterEach(() => {
  sns.reset();
  vi.unstubAllGlobals();
});

describe('SnsSmsSender', () => {
  it('publishes straight to the phone number as a transactional SMS, never to a topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1', $metadata: {} });
    const sender = new SnsSmsSender(new SNSClient({ region: 'eu-central-1' }));

    await sender.send({
      to: '+420601123456',
      message: 'Invoice 2026-000001 is 10 days overdue.',
      tag: 'i1:sms',
    });

    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      PhoneNumber: '+420601123456',
      Message: 'Invoice 2026-000001 is 10 days overdue.',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      },
    });
    expect(calls[0]?.args[0].input).not.toHaveProperty('TopicArn');
  });

  it('lets an SNS failure reach the caller, so the step is retried rather than marked sent', async () => {
    sns.on(PublishCommand).rejects(new Error('Spend limit exceeded'));
    const sender = new SnsSmsSender(new SNSClient({ region: 'eu-central-1' }));
    await expect(sender.send({ to: '+420601123456', message: 'x', tag: 't' })).rejects.toThrow(
      'Spend limit exceeded',
    );
  });
});

describe('HttpSmsSink and the host choice', () => {
  it('posts the message to the local recorder and fails on an error answer', async () => {
    const fetchMock = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(new Response('{}', { status: 201 }))
      .mockResolvedValueOnce(new Response('nope', { status: 500 }));
    vi.stubGlobal('fetch', fetchMock);
    const sink = new HttpSmsSink('http://localhost:4000/local/sms');
    const sms = { to: '+420601123456', message: 'hello', tag: 'inv:sms' };

    await sink.send(sms);
    expect(fetchMock).toHaveBeenCalledWith('http://localhost:4000/local/sms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sms),
    });
    await expect(sink.send(sms)).rejects.toThrow('SMS sink answered 500');
  });

  it('uses the recorder when SMS_SINK_URL is set and SNS otherwise', () => {
    expect(createSmsSender('http://localhost:4000/local/sms')).toBeInstanceOf(HttpSmsSink);
    expect(createSmsSender(undefined)).toBeInstanceOf(SnsSmsSender);
  });
});
