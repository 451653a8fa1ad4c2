/** The demo catalog loaded into empty stores, so the first query returns something real. */
export const DEMO_USERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace@example.com', name: 'Grace Hopper' },
  { email: 'alan@example.com', name: 'Alan Turing' },
  { email: 'katherine@example.com', name: 'Katherine Johnson' },
];

type AttributeType = 'STRING' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'ENUM' | 'STRING_LIST' | 'ENUM_LIST';

/** The demo categories and the attributes their products carry (the details below follow them). */
export const DEMO_CATEGORIES: {
  slug: string;
  name: string;
  attributes: { name: string; type: AttributeType; required?: boolean; values?: string[] }[];
}[] = [
  {
    slug: 'camping',
    name: 'Camping',
    attributes: [
      { name: 'capacity', type: 'INT' },
      { name: 'weightGrams', type: 'INT' },
      { name: 'seasons', type: 'INT' },
      { name: 'comfortTempC', type: 'INT' },
      { name: 'fill', type: 'STRING' },
      { name: 'lengths', type: 'ENUM_LIST', values: ['regular', 'long'] },
    ],
  },
  {
    slug: 'apparel',
    name: 'Apparel',
    attributes: [
      { name: 'sizes', type: 'ENUM_LIST', required: true, values: ['XS', 'S', 'M', 'L', 'XL'] },
      { name: 'colors', type: 'STRING_LIST' },
      { name: 'waterproofMm', type: 'INT' },
    ],
  },
  {
    slug: 'footwear',
    name: 'Footwear',
    attributes: [
      { name: 'euSizes', type: 'STRING_LIST' },
      { name: 'waterproof', type: 'BOOLEAN', required: true },
    ],
  },
  {
    slug: 'cooking',
    name: 'Cooking',
    attributes: [
      { name: 'fuel', type: 'ENUM', required: true, values: ['isobutane', 'white gas', 'wood'] },
      { name: 'boilTimeSeconds', type: 'INT' },
      { name: 'weightGrams', type: 'INT' },
    ],
  },
  {
    slug: 'lighting',
    name: 'Lighting',
    attributes: [
      { name: 'lumens', type: 'INT', required: true },
      { name: 'batteryMah', type: 'INT' },
      { name: 'modes', type: 'STRING_LIST' },
    ],
  },
];

/** Reviews the demo users leave: user index, product sku, stars, title. */
export const DEMO_REVIEWS: { user: number; sku: string; rating: number; title: string; body: string }[] = [
  { user: 0, sku: 'TENT-2P', rating: 5, title: 'Pitches in minutes', body: 'Stayed dry through a night of rain.' },
  { user: 1, sku: 'TENT-2P', rating: 4, title: 'Roomy for two', body: 'A little heavy for long treks.' },
  { user: 2, sku: 'BAG-DOWN-0C', rating: 5, title: 'Warm and light', body: 'Comfortable at two degrees.' },
  { user: 3, sku: 'JACKET-RAIN-M', rating: 3, title: 'Good shell', body: 'Sleeves run short.' },
  { user: 0, sku: 'JACKET-RAIN-M', rating: 4, title: 'Does the job', body: 'Breathes well uphill.' },
  { user: 1, sku: 'BOOT-HIKE-42', rating: 5, title: 'No blisters', body: 'Comfortable out of the box.' },
  { user: 2, sku: 'STOVE-CANISTER', rating: 4, title: 'Fast boil', body: 'Simmer control is fiddly.' },
];

export interface DemoProduct {
  sku: string;
  name: string;
  price: { amount: number; currency: string };
  stock: number;
  details: { description: string; category: string; tags: string[]; attributes: Record<string, unknown> };
  color: string;
}

export const DEMO_PRODUCTS: DemoProduct[] = [
  {
    sku: 'TENT-2P',
    name: 'Two-person tent',
    price: { amount: 24900, currency: 'USD' },
    stock: 12,
    details: {
      description: 'Freestanding three-season tent that pitches in five minutes.',
      category: 'camping',
      tags: ['tent', 'lightweight'],
      attributes: { capacity: 2, weightGrams: 1850, seasons: 3 },
    },
    color: '#2f855a',
  },
  {
    sku: 'BAG-DOWN-0C',
    name: 'Down sleeping bag',
    price: { amount: 31900, currency: 'USD' },
    stock: 8,
    details: {
      description: 'Goose-down mummy bag rated to 0 °C.',
      category: 'camping',
      tags: ['sleeping-bag', 'down'],
      attributes: { comfortTempC: 0, fill: 'goose down', lengths: ['regular', 'long'] },
    },
    color: '#2b6cb0',
  },
  {
    sku: 'JACKET-RAIN-M',
    name: 'Rain jacket',
    price: { amount: 17900, currency: 'EUR' },
    stock: 30,
    details: {
      description: 'Waterproof, breathable shell with a helmet-compatible hood.',
      category: 'apparel',
      tags: ['rain', 'shell'],
      attributes: { sizes: ['S', 'M', 'L', 'XL'], colors: ['red', 'navy'], waterproofMm: 20000 },
    },
    color: '#c53030',
  },
  {
    sku: 'BOOT-HIKE-42',
    name: 'Hiking boots',
    price: { amount: 21900, currency: 'EUR' },
    stock: 15,
    details: {
      description: 'Leather mid boots with a grippy rubber sole.',
      category: 'footwear',
      tags: ['boots', 'leather'],
      attributes: { euSizes: ['40', '41', '42', '43', '44', '45'], waterproof: true },
    },
    color: '#744210',
  },
  {
    sku: 'STOVE-CANISTER',
    name: 'Canister stove',
    price: { amount: 5900, currency: 'USD' },
    stock: 40,
    details: {
      description: 'Boils a litre of water in three minutes.',
      category: 'cooking',
      tags: ['stove'],
      attributes: { fuel: 'isobutane', boilTimeSeconds: 180, weightGrams: 83 },
    },
    color: '#d69e2e',
  },
  {
    sku: 'LAMP-HEAD-400',
    name: 'Headlamp',
    price: { amount: 4500, currency: 'GBP' },
    stock: 60,
    details: {
      description: 'Rechargeable 400-lumen headlamp with a red night mode.',
      category: 'lighting',
      tags: ['headlamp', 'rechargeable'],
      attributes: { lumens: 400, batteryMah: 1500, modes: ['spot', 'flood', 'red'] },
    },
    color: '#553c9a',
  },
];

/** A small SVG picture of a product, so image URLs open as real images. */
export function productImage(product: DemoProduct, view: string): Buffer {
  const label = `${product.name} (${view})`.replace(/[<&>]/g, '');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">` +
      `<rect width="320" height="200" rx="16" fill="${product.color}"/>` +
      `<text x="160" y="108" font-family="sans-serif" font-size="20" fill="#fff" text-anchor="middle">${label}</text>` +
      `</svg>`,
  );
}
