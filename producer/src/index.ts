export { type Clock, systemClock } from './clock';
export { MAX_MESSAGE_BYTES } from './coalesce-records';
export { InvalidParamsError, type ParamIssue, type ProducerErrorCode, WalkstreamError } from './errors';
export { createKafkaSink, type KafkaSinkOptions } from './kafka-sink';
export { fixKafkajsIdleTimers } from './kafkajs-idle-timer-fix';
export { encodePoint, formatFloat, WalkLineEncoder } from './line-protocol';
export {
  createProducer,
  DEFAULT_TOPIC,
  type ProducerEvents,
  type ProducerOptions,
  type ProducerState,
  type StopReport,
  type WalkProducer,
} from './producer';
export type { ProducerMetrics } from './producer-metrics';
export { createStreamSink, type KeyedRecord, type RecordSink, type TopicSpec } from './record-sink';
export { watchdogSocketFactory } from './response-watchdog';
export { WalkModel } from './walk-model';
export {
  DEFAULT_PARAMS,
  MAX_POINTS_PER_SECOND,
  mergeParams,
  PARAM_RANGES,
  type ParamName,
  validateParams,
  type WalkParams,
  type WalkParamsPatch,
  walkParamsPatchSchema,
} from './walk-params';
