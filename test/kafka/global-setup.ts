// Placeholder: replaced by the Kafka broker global setup.
export default async function setup(): Promise<void> {}
