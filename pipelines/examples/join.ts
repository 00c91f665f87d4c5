// A join: orders and payments matched by order id, with CoGroupByKey.
//
//   npm run example:run -- pipelines/examples/join.ts --runner=native
//   npm run example:run -- pipelines/examples/join.ts --runner=microbatch
//
// CoGroupByKey takes several keyed PCollections, by name, and gives one output per key (and window)
// holding every value of that key from each input: `{ orders: Order[], payments: Payment[] }`. An inner,
// outer or anti join is then a plain function of those two lists; here each order is reported as
// paid, partly paid or unpaid, and a payment whose order is unknown is reported too.
//
// The join happens per window: both inputs here stay in the global window, so every order meets every
// payment of its id. In fixed windows, an order and a payment would only meet in the same window.
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { Pipeline } from 'watershed/sdk';
import { CoGroupByKey, Create, FlatMap, ParDo, WithKeys } from 'watershed/transforms';

interface Order {
  readonly id: string;
  readonly customer: string;
  readonly amount: number;
}
interface Payment {
  readonly orderId: string;
  readonly amount: number;
}

const p = Pipeline.create(process.argv.slice(2));

const orders = p
  .apply(
    'Orders',
    Create<Order>([
      { id: 'o-1', customer: 'ann', amount: 30 },
      { id: 'o-2', customer: 'bob', amount: 12 },
      { id: 'o-3', customer: 'ann', amount: 50 },
    ]),
  )
  .apply('OrdersById', WithKeys((o: Order) => o.id));

const payments = p
  .apply(
    'Payments',
    Create<Payment>([
      { orderId: 'o-1', amount: 30 },
      { orderId: 'o-3', amount: 20 },
      { orderId: 'o-3', amount: 10 },
      { orderId: 'o-9', amount: 5 },
    ]),
  )
  .apply('PaymentsById', WithKeys((pay: Payment) => pay.orderId));

// The names given here ('orders', 'payments') are the names of the lists in each result.
const joined = p.apply('Join', CoGroupByKey({ orders, payments }));

/** What an order's payments add up to. */
function status(order: Order, paid: number): string {
  if (paid >= order.amount) return `${order.id} (${order.customer}): paid ${paid} of ${order.amount}`;
  if (paid > 0) return `${order.id} (${order.customer}): partly paid, ${paid} of ${order.amount}`;
  return `${order.id} (${order.customer}): unpaid, 0 of ${order.amount}`;
}

const report = joined.apply(
  'Match',
  // row: KV<string, { orders: Order[]; payments: Payment[] }>, inferred from the join
  FlatMap((row) => {
    const paid = row.value.payments.reduce((sum, pay) => sum + pay.amount, 0);
    if (row.value.orders.length === 0) return [`${row.key}: payment of ${paid} for an unknown order`];
    return row.value.orders.map((order) => status(order, paid));
  }),
);

report.apply(
  'Print',
  ParDo<string, never>({
    process(line) {
      console.log(line);
    },
  }),
);

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
