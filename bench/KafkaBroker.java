import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A single-node KRaft Kafka broker in this process, for bench/kafka-publish.sh (no Docker on the bench machine): the
 * same Kafka 3.9.1 test kit that spring-kafka-test's {@code @EmbeddedKafka(kraft = true)} runs, with its listener on a
 * given port and one topic. Prints {@code BROKER host:port} once it serves, and stops on end of input or TERM.
 *
 * <p>Usage: {@code java -cp <test classpath> bench/KafkaBroker.java PORT TOPIC PARTITIONS}
 */
public class KafkaBroker {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, Integer.parseInt(args[2]), args[1]);
        // kafkaPorts(..) is ignored in KRaft mode (spring-kafka-test 3.3); the test kit takes the listeners as given
        broker.brokerProperties(Map.of("listeners", "EXTERNAL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0",
                "auto.create.topics.enable", "false"));
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        System.out.println("BROKER " + broker.getBrokersAsString());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the script closes our input
        }
        broker.destroy();
    }
}
