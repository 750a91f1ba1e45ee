package dev.junction;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** This process's name in leases and logs: unique among the instances sharing one database. */
@Component
public class InstanceId {

    private final String value = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
