package dev.junction.kafka;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Commits a Kafka sync job's offsets once its records are journaled. A seam, so that a test can make it fail as a crash
 * between the journal commit and the offset commit would; the hub uses {@link #SYNC}.
 */
@FunctionalInterface
interface OffsetCommits {

    OffsetCommits SYNC = (consumer, offsets) -> consumer.commitSync(offsets);

    void commit(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> offsets);
}
