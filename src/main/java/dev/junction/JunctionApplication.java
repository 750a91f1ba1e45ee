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
        SpringApplication.run(JunctionApplication.class, args);
    }
}
