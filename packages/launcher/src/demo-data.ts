/** The demo catalog loaded into empty stores, so the first query returns something real. */
export const DEMO_USERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace@example.com', name: 'Grace Hopper' },
  { email: 'alan@example.com', name: 'Alan Turing' },
  { email: 'katherine@example.com', name: 'Katherine Johnson' },
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
      attributes: { euSizes: [40, 41, 42, 43, 44, 45], waterproof: true },
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
