import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLrsFixture, statementAbout, type LrsFixture } from '../../xapi/lrs-fixture.js';

let f: LrsFixture;
beforeAll(async () => {
  f = await createLrsFixture();
});
afterAll(() => f.dispose());

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

describe('Part Three §1.3 alternate request syntax (method in the query, headers and content in the form)', () => {
  it('PUT a statement and GET it back through form posts', async () => {
    const person = await f.person(f.tenantA);
    const statement = statementAbout(f.actorOf(person));
    const id = statement['id'] as string;
    const put = await request(f.app)
      .post('/xapi/statements?method=PUT')
      .type('form')
      .send({
        statementId: id,
        Authorization: basic(f.a.key, f.a.secret),
        'X-Experience-API-Version': '1.0.3',
        'Content-Type': 'application/json',
        content: JSON.stringify(statement),
      });
    expect(put.status, put.text).toBe(204);
    const get = await request(f.app)
      .post('/xapi/statements?method=GET')
      .type('form')
      .send({ statementId: id, Authorization: basic(f.a.key, f.a.secret), 'X-Experience-API-Version': '1.0.3' });
    expect(get.status).toBe(200);
    expect(get.body.id).toBe(id);
    // The form field stands for the header, so the answer names 1.0.3 as for a 1.0.3 header.
    expect(put.headers['x-experience-api-version']).toBe('1.0.3');
    expect(get.headers['x-experience-api-version']).toBe('1.0.3');
  });

  it('any other query parameter, an unknown method or a non-form body is 400', async () => {
    const form = { Authorization: basic(f.a.key, f.a.secret), 'X-Experience-API-Version': '1.0.3' };
    expect((await request(f.app).post('/xapi/statements?method=GET&limit=1').type('form').send(form)).status).toBe(400);
    expect((await request(f.app).post('/xapi/statements?method=PATCH').type('form').send(form)).status).toBe(400);
    expect((await request(f.app).post('/xapi/statements?method=GET').send(form)).status).toBe(400);
  });

  it('the form carries the credentials: without them it is 401', async () => {
    const res = await request(f.app).post('/xapi/statements?method=GET').type('form').send({ 'X-Experience-API-Version': '1.0.3' });
    expect(res.status).toBe(401);
  });
});
