// kafkajs ships no types for its internals; the idle-timer fix needs only the class's prototype.
declare module 'kafkajs/src/network/requestQueue/index.js' {
  const RequestQueue: { prototype: object };
  export default RequestQueue;
}
