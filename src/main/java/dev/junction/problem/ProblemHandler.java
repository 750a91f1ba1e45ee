package dev.junction.problem;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every exception that reaches Spring MVC into a problem document; nothing leaks a stack trace. */
@RestControllerAdvice
class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Problem> problem(ProblemException e, HttpServletRequest request) {
        HttpHeaders headers = new HttpHeaders();
        e.headers().forEach(headers::set);
        return respond(e.problem(), headers);
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Problem> noRoute(NoResourceFoundException e, HttpServletRequest request) {
        return respond(Problem.of(ProblemType.NOT_FOUND, "No endpoint " + request.getMethod() + " " + request.getRequestURI()),
                new HttpHeaders());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Problem> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        HttpHeaders headers = new HttpHeaders();
        if (e.getSupportedHttpMethods() != null) {
            headers.setAllow(e.getSupportedHttpMethods());
        }
        return respond(Problem.of(ProblemType.METHOD_NOT_ALLOWED,
                request.getMethod() + " is not supported on " + request.getRequestURI()), headers);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<Problem> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return respond(Problem.of(ProblemType.NOT_ACCEPTABLE, "Responses are application/json"), new HttpHeaders());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Problem> unsupported(HttpMediaTypeNotSupportedException e) {
        return respond(Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json"), new HttpHeaders());
    }

    @ExceptionHandler(org.springframework.http.converter.HttpMessageNotReadableException.class)
    ResponseEntity<Problem> unreadable(Exception e) {
        return respond(Problem.of(ProblemType.MALFORMED_REQUEST, "The request body is not the JSON this endpoint expects"), new HttpHeaders());
    }

    @ExceptionHandler(org.springframework.beans.TypeMismatchException.class)
    ResponseEntity<Problem> typeMismatch(org.springframework.beans.TypeMismatchException e) {
        String name = e.getPropertyName() != null ? e.getPropertyName() : "a parameter";
        return respond(Problem.of(ProblemType.MALFORMED_REQUEST, name + " has the wrong type"), new HttpHeaders());
    }

    /** Other Spring MVC errors (missing parameter, type mismatch...) keep their 4xx status; anything else is logged. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Problem> unexpected(Exception e, HttpServletRequest request) {
        if (e instanceof ErrorResponse error && error.getStatusCode().is4xxClientError()) {
            Problem base = Problem.of(ProblemType.MALFORMED_REQUEST, error.getBody().getDetail());
            return respond(new Problem(base.type(), base.title(), error.getStatusCode().value(), base.detail(), null, null),
                    new HttpHeaders());
        }
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return respond(Problem.of(ProblemType.INTERNAL, "Unexpected error; it has been logged"), new HttpHeaders());
    }

    static ResponseEntity<Problem> respond(Problem problem, HttpHeaders headers) {
        return ResponseEntity.status(problem.status())
                .headers(headers)
                .contentType(MediaType.parseMediaType(Problem.MEDIA_TYPE))
                .body(problem);
    }
}
