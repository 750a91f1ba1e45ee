package dev.junction.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Writes a problem straight to the servlet response, for filters that answer before any controller runs. */
@Component
public class ProblemWriter {

    private final ObjectMapper json;

    ProblemWriter(ObjectMapper json) {
        this.json = json;
    }

    public void write(HttpServletResponse response, Problem problem, Map<String, String> headers) throws IOException {
        if (!response.isCommitted()) {
            // Tomcat counts a response as committed once reading the request failed (a body cut short); the answer
            // then goes out as far as the connection allows, and resetting would throw.
            response.resetBuffer();
        }
        response.setStatus(problem.status());
        headers.forEach(response::setHeader);
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), problem);
    }
}
