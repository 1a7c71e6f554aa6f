using System;

namespace NLog.Targets.Firehose.Buffering
{
    /// <summary>
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), the checksum of
    /// iSCSI, ext4 and SCTP; CRC-32C("123456789") = 0xE3069283. Table-driven, eight bytes a step ("slicing-by-8").
    /// </summary>
    internal static class Crc32C
    {
        /// <summary>The Castagnoli polynomial, bit-reversed.</summary>
        private const uint Polynomial = 0x82F63B78;

        /// <summary>Eight 256-entry tables, one after the other.</summary>
        private static readonly uint[] Table = BuildTable();

        /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
        public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);

        /// <summary>
        /// Carries the raw (not yet inverted) register <paramref name="crc"/> over <paramref name="data"/>; start with
        /// 0xFFFFFFFF and invert the end result, or use <see cref="Compute"/>.
        /// </summary>
        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            uint[] t = Table;
            int i = 0;
            for (; i + 8 <= data.Length; i += 8)
            {
                uint low = crc ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
                uint high = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
                crc = t[(7 * 256) + (low & 0xFF)] ^ t[(6 * 256) + ((low >> 8) & 0xFF)] ^ t[(5 * 256) + ((low >> 16) & 0xFF)] ^ t[(4 * 256) + (low >> 24)]
                    ^ t[(3 * 256) + (high & 0xFF)] ^ t[(2 * 256) + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            }
            for (; i < data.Length; i++)
                crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            return crc;
        }

        /// <summary>
        /// Eight 256-entry tables: table 0 is the classic byte-at-a-time table; table k advances a byte's effect by k
        /// more zero bytes, so eight bytes are folded in one step.
        /// </summary>
        private static uint[] BuildTable()
        {
            var table = new uint[8 * 256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int bit = 0; bit < 8; bit++)
                    c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
                table[n] = c;
            }
            for (int k = 1; k < 8; k++)
            {
                for (int n = 0; n < 256; n++)
                {
                    uint previous = table[((k - 1) * 256) + n];
                    table[(k * 256) + n] = (previous >> 8) ^ table[previous & 0xFF];
                }
            }
            return table;
        }
    }
}
