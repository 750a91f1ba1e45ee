package dev.junction.erp.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The protocol's checksum against vectors computed outside Java (python3 hashlib, the lines joined by hand), with keys
 * whose UTF-8 byte order differs from Java's and H2's UTF-16 order: U+FF5A (fullwidth z) sorts before U+1F600 (an
 * emoji, a surrogate pair in UTF-16, D83D DE00) in bytes, after it in UTF-16 units.
 */
class ChecksumTest {

    /** sha256("record " + key), standing in for content hashes. */
    static final String A = "fa68cad15ae6e84fd73dbca6ea9bf838e563af4a9c9b2dcf18d79560f4f57a08";
    static final String B = "3eb973355527685406ae27617970334ec81904a0504776e0eb4d63c4c0efbbb2";
    static final String E_ACUTE = "9a2ebc324f1344c89f2999adf1909a19648c4529174ef84ee126939f45c26c5f";
    static final String FULLWIDTH_Z = "47f6d4d754cd0822469d9e440bf347acf7f204cc2aa949042a13f1dc95861f9b";
    static final String EMOJI = "d34f7fd1bfe7a73c085ba055c942c6634f4a38339e9ae1da931b64ca3294b4ff";

    static List<Checksums.Line> sorted(Checksums.Line... lines) {
        List<Checksums.Line> list = new ArrayList<>(Arrays.asList(lines));
        list.sort((x, y) -> Checksums.BYTE_ORDER.compare(x.key(), y.key()));
        return list;
    }

    @Test
    void anEmptyRangeIsTheHashOfTheEmptyString() {
        assertThat(Checksums.of(List.of())).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void keysSortInUtf8ByteOrderNotUtf16() {
        List<Checksums.Line> lines = sorted(new Checksums.Line("b", B), new Checksums.Line("\uD83D\uDE00", EMOJI),
                new Checksums.Line("A", A), new Checksums.Line("\uFF5A", FULLWIDTH_Z), new Checksums.Line("\u00E9", E_ACUTE));
        assertThat(lines).extracting(Checksums.Line::key).containsExactly("A", "b", "\u00E9", "\uFF5A", "\uD83D\uDE00");
        // python3: sha256("".join(f"{k}:{h}\n" for k in sorted(keys, key=lambda k: k.encode("utf-8"))))
        assertThat(Checksums.of(lines)).isEqualTo("f02373fd7e4b01bc4009c33dc03b26f41334ccb99cb28599623b6c3397c417f9");
        // The same lines in UTF-16 order (String.compareTo, H2's ORDER BY) give another checksum: the order matters.
        List<Checksums.Line> utf16 = new ArrayList<>(lines);
        utf16.sort((x, y) -> x.key().compareTo(y.key()));
        assertThat(Checksums.of(utf16)).isEqualTo("0d3c742e60aaaf124f832b63b1a6000ff028350e84e774677c89a043fca7ce77");
    }

    @Test
    void aRangeFromBToFullwidthZHoldsBAndEAcute() {
        List<Checksums.Line> range = sorted(new Checksums.Line("b", B), new Checksums.Line("\u00E9", E_ACUTE));
        assertThat(Checksums.of(range)).isEqualTo("1ef3b51034261e4d6bd432d7c5f84f23ce35de1cfea89057055418199b0cbd8a");
    }

    /** partner-onboarding/erp-vendor.md's worked example, as vendors' developers will check their agent against it. */
    @Test
    void theVendorGuidesWorkedExample() {
        Checksums.Line item2 = new Checksums.Line("ITEM-2", "f388b7118bc050d6317710b9329b3e217603f9463a7477b0bf723eb825d5a771");
        Checksums.Line item10 = new Checksums.Line("ITEM-10", "7ef98d78a40694e83eed50848b7424a4f327aa7e71cd85761ac8af91f70658b1");
        Checksums.Line epi1 = new Checksums.Line("\u00C9PI-1", "f65996c039355502ab3d7c60c04b3439ed34140ca4470bc80e821b39cf858f2d");
        assertThat(sorted(item2, epi1, item10)).containsExactly(item10, item2, epi1);
        assertThat(Checksums.of(sorted(item2, epi1, item10))).isEqualTo("7c5b4bb708626af50bcb0dc372fe63a601c8ce3a0374a33b54e2ed17920aa8d5");
        assertThat(Checksums.of(sorted(item10))).isEqualTo("afc7d4742391d068c4b63f35b67d7b860d6c18bd4c36e79a93a21083aa66a630");
        assertThat(Checksums.of(sorted(item2, epi1))).isEqualTo("da38f127f550332be73ba54248d0035af451be066029bdc7db0aa0dca0dc780a");
    }

    @Property
    void byteOrderIsTheOrderOfTheUtf8Bytes(@ForAll String a, @ForAll String b) {
        // Well-formed strings only: a lone surrogate has no UTF-8 form (Java writes '?').
        if (!wellFormed(a) || !wellFormed(b)) {
            return;
        }
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        assertThat(Integer.signum(Checksums.compare(a, b))).isEqualTo(expected);
    }

    private static boolean wellFormed(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s);
    }
}
