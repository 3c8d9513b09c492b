import { parseColumnMap } from '../../../src/feeds/column-map';
import type { FeedRecord } from '../../../src/feeds/feed-record';
import { FeedColumnsError, openFeed, type FeedReaderOptions } from '../../../src/feeds/feed-reader';
import { collect, memorySource } from '../../support/feed-source';

/** Every format read from a literal feed, in 7-byte chunks, to the literal records and problems it must give. */
async function read(text: string, name: string, o: FeedReaderOptions = {}) {
  const feed = await openFeed(memorySource(text, name), o);
  const rows = await collect(feed.rows);
  return { format: feed.format, rows, columns: feed.columns() };
}

const MUG: FeedRecord = {
  id: 'sku-1',
  title: 'Blue Dotted Mug',
  description: 'A mug. "Quoted" word & more',
  brand: 'Acme',
  category: 'Mugs',
  color: 'blue',
  price: 12.5,
  currency: 'USD',
  inStock: true,
  tags: ['summer'],
  attributes: { product_type: 'Home > Kitchen > Mugs', google_product_category: '2169', material: 'ceramic' },
  imageUrl: 'https://cdn.example/1.jpg',
  additionalImageUrls: ['https://cdn.example/1b.jpg', 'https://cdn.example/1c.jpg'],
  groupId: 'mug-42',
  link: 'https://shop.example/p/1',
};

const BAD_ROW_PROBLEMS = [
  {
    code: 'INVALID_PRICE',
    message: 'price "12,50 EUR" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"',
  },
  { code: 'INVALID_AVAILABILITY', message: 'availability "sometimes" is not one of in_stock, out_of_stock, preorder, backorder' },
];

describe('Google Merchant Center TSV', () => {
  const header =
    'id\ttitle\tdescription\tlink\timage_link\tadditional_image_link\tprice\tavailability\tbrand\tproduct_type\tgoogle_product_category\tcolor\titem_group_id\tmaterial\tcustom_label_0\tshipping';
  const feed = [
    header,
    'sku-1\tBlue Dotted Mug\tA mug. "Quoted" word & more\thttps://shop.example/p/1\thttps://cdn.example/1.jpg\thttps://cdn.example/1b.jpg,https://cdn.example/1c.jpg\t12.50 USD\tin stock\tAcme\tHome > Kitchen > Mugs\t2169\tblue\tmug-42\tceramic\tsummer\tUS:::5.00 USD',
    'sku-2\tRed Mug\t\t\thttps://cdn.example/2.jpg\t\t12,50 EUR\tsometimes\tAcme\t\t\tred\t\t\t\t',
    'sku-3\ttoo few fields',
    'sku-4\tGreen Mug\t\t\thttps://cdn.example/4.jpg\t\t3.00 XYZ\tpreorder\t\t\tHome & Garden > Kitchen > Cups\t\t\t\t\t',
    'sku-5\tCup\t\t\thttps://cdn.example/5.jpg\t\t4.00\tout_of_stock\t\t\t\t\t\t\t\t',
  ].join('\n');

  it('reads Google attributes into records and reports each bad row with every problem', async () => {
    const { format, rows } = await read(feed, 'feed.txt');
    expect(format).toBe('merchant-tsv');
    expect(rows).toEqual([
      { row: 1, line: 2, id: 'sku-1', record: MUG, problems: [] },
      { row: 2, line: 3, id: 'sku-2', problems: BAD_ROW_PROBLEMS },
      { row: 3, line: 4, problems: [{ code: 'MALFORMED_ROW', message: 'has 2 fields, the header has 16' }] },
      { row: 4, line: 5, id: 'sku-4', problems: [{ code: 'UNKNOWN_CURRENCY', message: 'currency "XYZ" is not an ISO 4217 code' }] },
      {
        row: 5,
        line: 6,
        id: 'sku-5',
        problems: [{ code: 'INVALID_PRICE', message: 'price "4.00" names no currency; write e.g. "12.50 USD" or pass --currency' }],
      },
    ]);
  });

  it('takes a default currency for bare prices, and a category from a textual google_product_category', async () => {
    const { rows } = await read(feed, 'feed.txt', { defaultCurrency: 'CAD' });
    expect(rows[4]!.record).toMatchObject({ price: 4, currency: 'CAD', inStock: false });
    const gpc = (await read(`${header}\nsku-9\tCup\t\t\thttps://cdn.example/9.jpg\t\t1.00 USD\tpreorder\t\t\tHome & Garden > Kitchen > Cups\t\t\t\t\t\n`, 'f')).rows;
    expect(gpc[0]!.record).toMatchObject({ category: 'Cups', inStock: false, attributes: { google_product_category: 'Home & Garden > Kitchen > Cups' } });
  });

  it('reports what each column feeds and which are ignored', async () => {
    const { columns } = await read(feed, 'feed.txt');
    expect(columns).toEqual({
      mapped: [
        ['id', 'id'],
        ['title', 'title'],
        ['description', 'description'],
        ['brand', 'brand'],
        ['category', 'product_type'],
        ['color', 'color'],
        ['price', 'price'],
        ['availability', 'availability'],
        ['image', 'image_link'],
        ['additional_images', 'additional_image_link'],
        ['group_id', 'item_group_id'],
        ['link', 'link'],
      ],
      missingRequired: [],
      missingMapped: [],
      unmapped: ['shipping'],
    });
  });

  it('refuses a feed whose header lacks a required column, before reading any row', async () => {
    const err = await openFeed(memorySource('id\ttitle\tprice\nsku-1\tMug\t1.00 USD\n', 'f'), { format: 'merchant-tsv' }).catch((e) => e);
    expect(err).toBeInstanceOf(FeedColumnsError);
    expect(err.message).toBe('The feed cannot be imported: missing required columns for: image');
  });
});

describe('Google Merchant Center RSS/XML', () => {
  const item = (body: string) => `<item>${body}</item>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>
${item(`<g:id>sku-1</g:id><title>Blue Dotted Mug</title><description><![CDATA[A mug. "Quoted" word & more]]></description>
<link>https://shop.example/p/1</link><g:image_link>https://cdn.example/1.jpg</g:image_link>
<g:additional_image_link>https://cdn.example/1b.jpg</g:additional_image_link><g:additional_image_link>https://cdn.example/1c.jpg</g:additional_image_link>
<g:price>12.50 USD</g:price><g:availability>in_stock</g:availability><g:brand>Acme</g:brand>
<g:product_type>Home &gt; Kitchen &gt; Mugs</g:product_type><g:google_product_category>2169</g:google_product_category>
<g:color>blue</g:color><g:item_group_id>mug-42</g:item_group_id><g:material>ceramic</g:material><g:custom_label_0>summer</g:custom_label_0>
<g:shipping><g:country>US</g:country><g:price>5.00 USD</g:price></g:shipping>`)}
${item('<g:id>sku-2</g:id><title>Broken</title><g:price>1.00 USD</bogus></item>')}
${item('<g:id>sku-3</g:id><title>Red Mug</title><g:image_link>https://cdn.example/3.jpg</g:image_link><g:price>12,50 EUR</g:price><g:availability>sometimes</g:availability>')}
</channel></rss>`;

  it('streams items into the same records as the TSV, and isolates a broken item', async () => {
    const { format, rows, columns } = await read(xml, 'feed');
    expect(format).toBe('merchant-xml');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ row: 1, line: 3, id: 'sku-1', record: MUG, problems: [] });
    expect(rows[1]).toEqual({ row: 2, line: 10, problems: [{ code: 'MALFORMED_ROW', message: 'XML error in this item: unexpected close tag.' }] });
    expect(rows[2]).toEqual({ row: 3, line: 11, id: 'sku-3', problems: BAD_ROW_PROBLEMS });
    expect(columns.unmapped).toEqual(['shipping.country', 'shipping.price']);
  });

  it('steps over CDATA and comments, reads Atom entries, and reports an item left open', async () => {
    const feed = [
      '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0"><!-- <entry> in a comment -->',
      '<entry><g:id>e-1</g:id><title><![CDATA[Has </entry> inside]]></title><g:image_link>https://cdn.example/e1.jpg</g:image_link></entry>',
      '<entry><g:id>e-2</g:id><title>Left open',
      '<entry><g:id>e-3</g:id><title>Fine</title><g:image_link>https://cdn.example/e3.jpg</g:image_link><g:item_group_id>g</g:item_group_id></entry>',
      '</feed>',
    ].join('\n');
    const { rows } = await read(feed, 'f');
    expect(rows.map((r) => [r.row, r.line, r.id, r.record?.title, r.problems.map((p) => p.message)])).toEqual([
      [1, 2, 'e-1', 'Has </entry> inside', []],
      [2, 3, undefined, undefined, ['item is not closed before the next item starts']],
      [3, 4, 'e-3', 'Fine', []],
    ]);
    expect(rows[2]!.record!.groupId).toBe('g');
  });

  it('tells how far into the feed its rows reach, for progress against the size', async () => {
    for (const [text, name] of [
      ['id\ttitle\timage_link\na\tA\thttps://x/a.jpg\nb\tB\thttps://x/b.jpg\n', 'f.tsv'],
      ['{"id":"a","title":"A","image":"https://x/a.jpg"}\n{"id":"b","title":"B","image":"https://x/b.jpg"}\n', 'f.jsonl'],
      ['<rss><channel><item><g:id>a</g:id></item>\n<item><g:id>b</g:id></item></channel></rss>', 'f.xml'],
    ]) {
      const feed = await openFeed(memorySource(text!, name));
      const seen: number[] = [];
      for await (const _ of feed.rows) seen.push(feed.position());
      const second = name === 'f.xml' ? text!.indexOf('</item></channel>') + '</item>'.length : Buffer.byteLength(text!);
      expect([name, seen.length, seen[0]! < seen[1]!, seen[1]]).toEqual([name, 2, true, second]);
    }
  });

  it('reports an item the feed ends inside of', async () => {
    const { rows } = await read('<rss><channel><item><g:id>a</g:id><title>T</title>', 'f');
    expect(rows).toEqual([{ row: 1, line: 1, problems: [{ code: 'MALFORMED_ROW', message: 'the feed ends inside this item' }] }]);
  });
});

describe('Shopify products export', () => {
  const header =
    'Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Image Src,Image Position,Variant Image,Status,Gift Card';
  const csv = [
    header,
    'wool-hat,Wool Hat,"<p>Warm &amp; <b>soft</b>, really</p>",Knitters,Apparel & Accessories > Clothing Accessories > Hats,,"winter, wool",true,Size,S,Color,Grey,H-S,shopify,0,deny,25.00,https://cdn.shopify.example/hat-2.jpg,2,,active,false',
    'wool-hat,,,,,,,,,M,,Grey,H-M,shopify,3,deny,22.50,https://cdn.shopify.example/hat-1.jpg,1,https://cdn.shopify.example/hat-v.jpg,,',
    'wool-hat,,,,,,,,,,,,,,,,,https://cdn.shopify.example/hat-3.jpg,3,,,',
    'plain-mug,Plain Mug,,Potter,,Mug,,true,Title,Default Title,,,M-1,,,,9.00,https://cdn.shopify.example/mug.jpg,1,,draft,false',
    'bad-price,Bad,,V,,Mug,,true,Title,Default Title,,,B-1,,,,"12,50",https://cdn.shopify.example/b.jpg,1,,active,false',
    'wool-hat,Wool Hat again,,,,,,,,,,,,,,,1.00,https://cdn.shopify.example/x.jpg,1,,,',
  ].join('\n');

  it('folds each handle\'s rows into one product: lowest price, any variant in stock, images by position', async () => {
    const { format, rows, columns } = await read(csv, 'products_export.csv', { defaultCurrency: 'EUR' });
    expect(format).toBe('shopify-csv');
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        id: 'wool-hat',
        record: {
          id: 'wool-hat',
          title: 'Wool Hat',
          description: 'Warm & soft , really',
          brand: 'Knitters',
          category: 'Hats',
          color: 'Grey',
          price: 22.5,
          currency: 'EUR',
          inStock: true,
          tags: ['winter', 'wool'],
          attributes: { size: 'S, M', status: 'active', product_category: 'Apparel & Accessories > Clothing Accessories > Hats' },
          imageUrl: 'https://cdn.shopify.example/hat-1.jpg',
          additionalImageUrls: ['https://cdn.shopify.example/hat-2.jpg', 'https://cdn.shopify.example/hat-3.jpg', 'https://cdn.shopify.example/hat-v.jpg'],
          groupId: 'wool-hat',
          link: undefined,
        },
        problems: [],
      },
      {
        row: 2,
        line: 5,
        id: 'plain-mug',
        record: {
          id: 'plain-mug',
          title: 'Plain Mug',
          description: undefined,
          brand: 'Potter',
          category: 'Mug',
          color: undefined,
          price: 9,
          currency: 'EUR',
          inStock: true,
          tags: [],
          attributes: { status: 'draft' },
          imageUrl: 'https://cdn.shopify.example/mug.jpg',
          additionalImageUrls: [],
          groupId: 'plain-mug',
          link: undefined,
        },
        problems: [],
      },
      {
        row: 3,
        line: 6,
        id: 'bad-price',
        problems: [
          {
            code: 'INVALID_PRICE',
            message: 'price "12,50" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"',
          },
        ],
      },
      { row: 4, line: 7, id: 'wool-hat', problems: [{ code: 'DUPLICATE_ID', message: 'id "wool-hat" already appeared in row 1; the first row wins' }] },
    ]);
    expect(columns.unmapped).toEqual(['Published', 'Variant SKU', 'Gift Card']);
  });

  it('fails a whole product when one of its rows cannot be read', async () => {
    const broken = [header, csv.split('\n')[1], 'wool-hat,,,too,few', csv.split('\n')[4]].join('\n');
    const { rows } = await read(broken, 'x.csv');
    expect(rows.map((r) => [r.id, r.problems.map((p) => p.code)])).toEqual([
      ['wool-hat', ['MALFORMED_ROW']],
      ['plain-mug', []],
    ]);
    expect(rows[0]!.problems[0]!.message).toBe('row at line 3 could not be read: has 5 fields, the header has 22');
  });

  it('refuses --map: the export has fixed columns', async () => {
    await expect(openFeed(memorySource(csv, 'x.csv'), { map: parseColumnMap(['title=Title']) })).rejects.toThrow(/--map does not apply/);
  });
});

describe('plain CSV and JSON Lines', () => {
  it('maps synonyms and --map, keeps quoted commas and newlines, reports unmapped and malformed rows', async () => {
    const csv = [
      'SKU,Name,Image URL,Price,Currency,In Stock,Fabric,Notes',
      'a-1,"Mug, large","https://cdn.example/a.jpg",3.50,eur,yes,cotton,"two',
      'lines"',
      'a-2,"Broken "quote" here",https://cdn.example/b.jpg,1,EUR,no,silk,x',
      'a-3,too,few',
    ].join('\n');
    const { format, rows, columns } = await read(csv, 'x.csv', { map: parseColumnMap(['attributes.material=Fabric']) });
    expect(format).toBe('csv');
    expect(rows[0]).toEqual({
      row: 1,
      line: 2,
      id: 'a-1',
      record: {
        id: 'a-1',
        title: 'Mug, large',
        description: undefined,
        brand: undefined,
        category: undefined,
        color: undefined,
        price: 3.5,
        currency: 'EUR',
        inStock: true,
        tags: [],
        attributes: { material: 'cotton' },
        imageUrl: 'https://cdn.example/a.jpg',
        additionalImageUrls: [],
        groupId: undefined,
        link: undefined,
        version: undefined,
      },
      problems: [],
    });
    // A quoted field with stray quotes inside is kept as it stands rather than dropped.
    expect(rows[1]).toMatchObject({ row: 2, line: 4, id: 'a-2', record: { title: '"Broken "quote" here"', inStock: false } });
    expect(rows[2]).toEqual({ row: 3, line: 5, problems: [{ code: 'MALFORMED_ROW', message: 'has 3 fields, the header has 8' }] });
    expect(columns.unmapped).toEqual(['Notes']);
    expect(columns.mapped).toContainEqual(['attributes.material', 'Fabric']);
  });

  it('refuses a --map that names a column the feed does not have', async () => {
    const err = await openFeed(memorySource('id,title,image\n', 'x.csv'), { map: parseColumnMap(['brand=Maker']) }).catch((e) => e);
    expect(err.message).toBe('The feed cannot be imported: --map names columns the feed does not have: Maker');
  });

  it('reads JSON values as they are and reports lines that are not objects', async () => {
    const jsonl = [
      '{"id":"j-1","title":"Lamp","price":19.5,"currency":"USD","inStock":false,"tags":["a","b"],"attributes":{"material":"glass","watts":40},"image":"images/j-1.jpg","version":7}',
      '',
      '{"id":"j-2","title":"Lamp","image":"x.jpg","version":"1.5"}',
      'not json',
      '[1,2]',
      '{"id":"j-1","title":"Again","image":"y.jpg"}',
    ].join('\n');
    const { format, rows } = await read(jsonl, 'feed.jsonl');
    expect(format).toBe('jsonl');
    expect(rows.map((r) => [r.row, r.line, r.id, r.problems.map((p) => p.code)])).toEqual([
      [1, 1, 'j-1', []],
      [2, 3, 'j-2', ['INVALID_VALUE']],
      [3, 4, undefined, ['MALFORMED_ROW']],
      [4, 5, undefined, ['MALFORMED_ROW']],
      [5, 6, 'j-1', ['DUPLICATE_ID']],
    ]);
    expect(rows[0]!.record).toMatchObject({
      price: 19.5,
      currency: 'USD',
      inStock: false,
      tags: ['a', 'b'],
      attributes: { material: 'glass', watts: '40' },
      imageUrl: 'images/j-1.jpg',
      version: 7,
    });
    expect(rows[3]!.problems[0]!.message).toBe('not a JSON object');
  });
});

describe('several images and the variant group, in every format', () => {
  const images = (rows: { record?: FeedRecord }[]) => rows.map((r) => [r.record?.imageUrl, ...(r.record?.additionalImageUrls ?? [])]);

  it('Merchant TSV: image_link then additional_image_link split at commas, but not inside a CDN URL; item_group_id', async () => {
    const tsv = [
      'id\ttitle\timage_link\tadditional_image_link\tprice\titem_group_id',
      'a\tA\thttps://cdn.example/a.jpg\thttps://cdn.example/a2.jpg, https://res.cloudinary.com/s/image/upload/w_300,h_200,c_fill/a3.jpg,https://cdn.example/a.jpg\t1.00 USD\tstyle-1',
      'b\tB\thttps://res.cloudinary.com/s/image/upload/w_300,h_200/b.jpg\t\t1.00 USD\t',
    ].join('\n');
    const { rows } = await read(tsv, 'feed.tsv');
    expect(images(rows)).toEqual([
      ['https://cdn.example/a.jpg', 'https://cdn.example/a2.jpg', 'https://res.cloudinary.com/s/image/upload/w_300,h_200,c_fill/a3.jpg'],
      ['https://res.cloudinary.com/s/image/upload/w_300,h_200/b.jpg'],
    ]);
    expect(rows.map((r) => r.record?.groupId)).toEqual(['style-1', undefined]);
  });

  it('Merchant XML: repeated additional_image_link elements in order; item_group_id', async () => {
    const xml = `<?xml version="1.0"?><rss xmlns:g="http://base.google.com/ns/1.0"><channel><item>
<g:id>x-1</g:id><title>X</title><g:price>2.00 USD</g:price><g:image_link>https://cdn.example/x.jpg</g:image_link>
<g:additional_image_link>https://cdn.example/x2.jpg</g:additional_image_link>
<g:additional_image_link>https://cdn.example/x3.jpg</g:additional_image_link>
<g:item_group_id>style-x</g:item_group_id></item></channel></rss>`;
    const { rows } = await read(xml, 'feed.xml');
    expect(images(rows)).toEqual([['https://cdn.example/x.jpg', 'https://cdn.example/x2.jpg', 'https://cdn.example/x3.jpg']]);
    expect(rows[0]!.record!.groupId).toBe('style-x');
  });

  it('CSV: --map images=<list column> and groupId=<column>; relative lists split at every comma', async () => {
    const csv = ['sku,name,pictures,style', 'c-1,Cup,"https://cdn.example/c1.jpg,https://cdn.example/c2.jpg",cups-1', 'c-2,Cup,"img/c3.jpg, img/c4.jpg",'].join('\n');
    const { rows, columns } = await read(csv, 'x.csv', { map: parseColumnMap(['images=pictures', 'groupId=style']) });
    expect(images(rows)).toEqual([
      ['https://cdn.example/c1.jpg', 'https://cdn.example/c2.jpg'],
      ['img/c3.jpg', 'img/c4.jpg'],
    ]);
    expect(rows.map((r) => r.record?.groupId)).toEqual(['cups-1', undefined]);
    expect(columns.mapped).toEqual(expect.arrayContaining([['images', 'pictures'], ['group_id', 'style']]));
    expect(columns.missingRequired).toEqual([]);
  });

  it('JSONL: images as URLs or as { url } objects (the GraphQL ImageInput), after image; groupId', async () => {
    const jsonl = [
      '{"id":"j-1","title":"Lamp","image":"https://cdn.example/j1.jpg","images":["https://cdn.example/j1.jpg","https://cdn.example/j2.jpg"],"groupId":"lamps"}',
      '{"id":"j-2","title":"Lamp","images":[{"url":"https://cdn.example/j3.jpg"},{"url":"https://cdn.example/j4.jpg"}]}',
    ].join('\n');
    const { rows } = await read(jsonl, 'feed.jsonl');
    expect(images(rows)).toEqual([
      ['https://cdn.example/j1.jpg', 'https://cdn.example/j2.jpg'],
      ['https://cdn.example/j3.jpg', 'https://cdn.example/j4.jpg'],
    ]);
    expect(rows.map((r) => r.record?.groupId)).toEqual(['lamps', undefined]);
  });
});
