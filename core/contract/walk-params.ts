/**
 * The walk parameters' allowed ranges, for the UI's sliders and the API's input check. The producer
 * owns the table (its validator and CLI help read it too); it comes from the producer's pure
 * `walk-params` entry so that the browser bundle gets no Kafka client.
 */
export {
  MAX_POINTS_PER_SECOND,
  PARAM_RANGES,
  type ParamName,
  walkParamsPatchSchema,
} from '@walkstream/producer/walk-params';
