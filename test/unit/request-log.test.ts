import { requestIdFrom, routeOf } from '../../src/server/request-log';

describe('request ids and routes', () => {
  it('keeps a sane x-request-id and replaces anything else with a UUID', () => {
    expect(requestIdFrom({ 'x-request-id': 'lb-7f3a.42:9' })).toBe('lb-7f3a.42:9');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const bad of ['', 'has space', '{"json":1}', 'x'.repeat(129), '-leading-dash', 'new\nline']) {
      expect(requestIdFrom({ 'x-request-id': bad })).toMatch(uuid);
    }
    expect(requestIdFrom({})).toMatch(uuid);
    expect(requestIdFrom({})).not.toBe(requestIdFrom({}));
  });

  it('names routes from a fixed set, so a metric label never carries a raw path', () => {
    expect(['/graphql', '/readyz', '/widgets/v1/widgets.js', '/', '/wp-admin/x.php', '/graphql2'].map(routeOf)).toEqual([
      'graphql',
      'readyz',
      'widgets',
      'root',
      'other',
      'other',
    ]);
  });
});
