import { htmlToText } from '../../../src/feeds/mappers/shopify.mapper';
import { availability, categoryOf, list, looseName, text } from '../../../src/feeds/mappers/values';
import { detectFormat } from '../../../src/feeds/formats/detect';

describe('feed values', () => {
  it.each([
    ['in_stock', true],
    ['in stock', true],
    ['In Stock', true],
    ['available for order', true],
    ['https://schema.org/InStock', true],
    ['out_of_stock', false],
    ['out of stock', false],
    ['preorder', false],
    ['backorder', false],
    ['TRUE', true],
    ['0', false],
  ])('availability %p -> inStock %p', (value, inStock) => {
    expect(availability(value)).toEqual({ ok: true, inStock });
  });

  it('leaves absent availability absent and refuses the unknown', () => {
    expect(availability('')).toEqual({ ok: true });
    expect(availability(false)).toEqual({ ok: true, inStock: false });
    expect(availability('sometimes')).toEqual({
      ok: false,
      problem: { code: 'INVALID_AVAILABILITY', message: 'availability "sometimes" is not one of in_stock, out_of_stock, preorder, backorder' },
    });
  });

  it('takes the last segment of a taxonomy path, and no category from a bare Google id', () => {
    expect(categoryOf('Home & Garden > Kitchen & Dining > Mugs')).toBe('Mugs');
    expect(categoryOf('mug')).toBe('mug');
    expect(categoryOf('2169')).toBeUndefined();
    expect(categoryOf(' ')).toBeUndefined();
  });

  it('reads text and lists from strings, repeats and JSON', () => {
    expect([text(' a '), text(''), text(3), text(['', 'b']), text({})]).toEqual(['a', undefined, '3', 'b', undefined]);
    expect(list('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(list(['x,y', 'z'])).toEqual(['x', 'y', 'z']);
    expect(list([1, 'two'])).toEqual(['1', 'two']);
    expect(looseName('Image Link')).toBe(looseName('image_link'));
  });

  it('turns Shopify body HTML into text', () => {
    expect(htmlToText('<p>Warm &amp; <b>soft</b></p><script>x()</script><ul><li>wool&#39;s</li></ul>&nbsp;')).toBe("Warm & soft wool's");
    expect(htmlToText('&#99999999; &bogus;')).toBe('&#99999999; &bogus;');
    expect(htmlToText('<br>')).toBeUndefined();
  });

  it.each([
    ['<?xml version="1.0"?><rss>', 'feed', 'merchant-xml'],
    ['{"id":"a"}\n', 'feed', 'jsonl'],
    ['Handle,Title,Body (HTML),Variant Price,Image Src\n', 'x.csv', 'shopify-csv'],
    ['id\ttitle\tdescription\tlink\timage_link\tprice\n', 'feed.txt', 'merchant-tsv'],
    ['id,title,image_link,price\n', 'feed.csv', 'csv'],
    ['sku\tname\timage\n', 'feed.tsv', 'csv'],
    ['\uFEFFid,title,image\n', 'f', 'csv'],
  ])('detects %p as %s', (head, name, format) => {
    expect(detectFormat(head, name)).toBe(format);
  });
});
