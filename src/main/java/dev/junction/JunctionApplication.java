package dev.junction;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Junction: an integration hub for partner webhooks, sync jobs and ERP agents. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class JunctionApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(JunctionApplication.class, args);
        } catch (Throwable failed) {
            // SpringApplication has logged the failure and closed the context. Any thread still running now (one
            // started by a bean that the failed context never stopped) would keep a hub that never started alive,
            // with no port open and no exit a supervisor could see: a failed start must end the process.
            System.exit(1);
        }
    }
}
